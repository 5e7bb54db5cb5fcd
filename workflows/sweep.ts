/**
 * The scheduled sweep: housekeeping that keeps the state of record honest without anyone asking.
 * It expires imports whose file never arrived, and chases assignments past their findings deadline
 * (marked overdue, the reviewer reminded, the chair told, the case reassigned), and recommendations
 * past their due date (marked overdue, the chair told). Started by an EventBridge schedule; failed
 * deliveries land in a dead-letter queue.
 *
 *   ExpireStaleImports → ChaseOverdueAssignments → ChaseOverdueRecommendations → SweepCompleted
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DataTable } from '../infra/constructs/data-tables.ts';
import { ScrutineerFunction } from '../infra/constructs/scrutineer-function.ts';
import { ScrutineerStateMachine } from '../infra/constructs/scrutineer-state-machine.ts';
import { ENV } from '../shared/environment.ts';
import { invokeStep } from './invoke-step.ts';

export interface SweepWorkflowProps {
  readonly table: DataTable;
  readonly auditTable: DataTable;
  /** Lets a function publish notifications. */
  readonly publish: (fn: ScrutineerFunction) => void;
  readonly encryptionKey: kms.Key;
  /** An EventBridge rate expression, e.g. `rate(1 hour)`. */
  readonly every: Duration;
}

export class SweepWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SweepWorkflowProps) {
    super(scope, id);
    const expire = new ScrutineerFunction(this, 'ExpireStaleImportsFunction', {
      entry: 'functions/steps/expire-stale-imports.ts',
      description: 'Expires imports whose file never arrived',
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(2),
    });
    expire.bindTableWriter(props.table, ENV.mainTable);
    expire.bindTableAppender(props.auditTable, ENV.auditTable);

    const chase = new ScrutineerFunction(this, 'ChaseOverdueAssignmentsFunction', {
      entry: 'functions/steps/chase-overdue-assignments.ts',
      description: 'Marks overdue assignments and tells reviewers and chairs',
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(5),
    });
    chase.bindTableWriter(props.table, ENV.mainTable);
    props.publish(chase);
    // The execution's start is the sweep's reference time, so a re-run decides the same way.
    const sweepTime = sfn.TaskInput.fromObject({
      asOf: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      executionId: sfn.JsonPath.stringAt('$$.Execution.Id'),
    });
    const chaseOverdue = invokeStep(this, 'ChaseOverdueAssignments', chase, {
      payload: sweepTime,
      resultPath: '$.overdueAssignments',
    });

    const chaseRecommendationsFn = new ScrutineerFunction(this, 'ChaseOverdueRecommendationsFunction', {
      entry: 'functions/steps/chase-overdue-recommendations.ts',
      description: 'Marks recommendations past their due date overdue and tells the chair',
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(5),
    });
    chaseRecommendationsFn.bindTableWriter(props.table, ENV.mainTable);
    props.publish(chaseRecommendationsFn);
    const chaseRecommendations = invokeStep(this, 'ChaseOverdueRecommendations', chaseRecommendationsFn, {
      payload: sweepTime,
      resultPath: '$.overdueRecommendations',
    });

    const definition = invokeStep(this, 'ExpireStaleImports', expire, {
      payload: sweepTime,
      resultPath: '$.expiredImports',
    })
      .next(chaseOverdue)
      .next(chaseRecommendations)
      .next(new sfn.Succeed(this, 'SweepCompleted'));

    this.stateMachine = new ScrutineerStateMachine(this, 'StateMachine', {
      definition,
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(30),
      description: 'Scheduled housekeeping of Scrutineer records',
      invokes: [expire, chase, chaseRecommendationsFn],
    }).stateMachine;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the sweep schedule',
    });
    // EventBridge must be able to write to the encrypted dead-letter queue.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeDeadLetters',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'], // in a key policy, "*" means this key
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    new events.Rule(this, 'Schedule', {
      description: 'Runs the sweep',
      schedule: events.Schedule.rate(props.every),
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({}),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 3,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }
}
