/**
 * Route a sitting's cases: each case on the agenda still waiting for reviewers gets them under the
 * routing rules, one case at a time so the result is deterministic for the same agenda and loads.
 * Each case's capacity reservations and assignments are one transaction, conditional on the loads
 * and the case as read, so concurrent routing never overfills a reviewer or assigns a case twice.
 *
 *   NoteExecution → ListCasesToRoute → RouteCases (Map, one at a time: RouteCase)
 */
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DataTable } from '../infra/constructs/data-tables.ts';
import { ScrutineerFunction } from '../infra/constructs/scrutineer-function.ts';
import { ScrutineerStateMachine } from '../infra/constructs/scrutineer-state-machine.ts';
import { ENV } from '../shared/environment.ts';
import { invokeStep } from './invoke-step.ts';

export interface RouteCasesWorkflowProps {
  readonly table: DataTable;
  /** Lets a function publish notifications. */
  readonly publish: (fn: ScrutineerFunction) => void;
  readonly encryptionKey: kms.IKey;
}

export class RouteCasesWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RouteCasesWorkflowProps) {
    super(scope, id);
    const list = new ScrutineerFunction(this, 'ListCasesToRouteFunction', {
      entry: 'functions/steps/list-cases-to-route.ts',
      description: "Lists a sitting's cases waiting for reviewers",
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(1),
    });
    list.bindTableReader(props.table, ENV.mainTable);
    const route = new ScrutineerFunction(this, 'RouteCaseFunction', {
      entry: 'functions/steps/route-case.ts',
      description: 'Routes one case to reviewers',
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(1),
    });
    route.bindTableWriter(props.table, ENV.mainTable);
    props.publish(route);

    const noteExecution = new sfn.Pass(this, 'NoteExecution', {
      parameters: { 'id.$': '$$.Execution.Id' },
      resultPath: '$.execution',
    });
    const listCases = invokeStep(this, 'ListCasesToRoute', list, { resultPath: '$.waiting' });
    const routeCases = new sfn.Map(this, 'RouteCases', {
      itemsPath: '$.waiting.caseIds',
      maxConcurrency: 1,
      itemSelector: {
        'sittingId.$': '$.sittingId',
        'requestedBy.$': '$.requestedBy',
        'execution.$': '$.execution',
        'caseId.$': '$$.Map.Item.Value',
      },
      resultPath: '$.routed',
    }).itemProcessor(invokeStep(this, 'RouteCase', route, { resultPath: '$' }));

    this.stateMachine = new ScrutineerStateMachine(this, 'StateMachine', {
      definition: noteExecution.next(listCases).next(routeCases).next(new sfn.Succeed(this, 'CasesRouted')),
      encryptionKey: props.encryptionKey,
      timeout: Duration.hours(1),
      description: "Routes a sitting's cases to reviewers",
      invokes: [list, route],
    }).stateMachine;
  }
}
