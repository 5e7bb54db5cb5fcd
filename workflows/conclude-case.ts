/**
 * Conclude a case: started after every finding version and every moderation. It looks at the case
 * afresh (shared/review/conclusion.ts): still waiting for a reviewer, sent to the chair for
 * moderation, carried over, or concluded; a concluded case gets its evidence pack.
 *
 *   NoteExecution → AssessCase → (concluded?) WriteCasePack → CaseConcluded
 *                                 (otherwise)  CaseAssessed
 */
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DataTable } from '../infra/constructs/data-tables.ts';
import { ScrutineerFunction } from '../infra/constructs/scrutineer-function.ts';
import { ScrutineerStateMachine } from '../infra/constructs/scrutineer-state-machine.ts';
import { ENV } from '../shared/environment.ts';
import { invokeStep } from './invoke-step.ts';

export interface ConcludeCaseWorkflowProps {
  readonly table: DataTable;
  readonly auditTable: DataTable;
  readonly evidenceBucket: s3.IBucket;
  /** Lets a function publish notifications. */
  readonly publish: (fn: ScrutineerFunction) => void;
  readonly encryptionKey: kms.IKey;
}

export class ConcludeCaseWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ConcludeCaseWorkflowProps) {
    super(scope, id);
    const assess = new ScrutineerFunction(this, 'AssessCaseFunction', {
      entry: 'functions/steps/assess-case.ts',
      description: 'Concludes a case, sends it to moderation or carries it over, once every finding is in',
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(1),
    });
    assess.bindTableWriter(props.table, ENV.mainTable);
    assess.bindTableAppender(props.auditTable, ENV.auditTable);
    props.publish(assess);

    const pack = new ScrutineerFunction(this, 'WriteCasePackFunction', {
      entry: 'functions/steps/write-case-pack.ts',
      description: "Writes a concluded case's evidence pack, once",
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(2),
    });
    pack.bindTableWriter(props.table, ENV.mainTable);
    pack.bindTableAppender(props.auditTable, ENV.auditTable);
    pack.bindBucket(props.evidenceBucket, ENV.evidenceBucket, {
      read: true,
      write: true,
      list: true,
      prefix: 'packs/cases/',
    });

    const noteExecution = new sfn.Pass(this, 'NoteExecution', {
      parameters: { 'id.$': '$$.Execution.Id' },
      resultPath: '$.execution',
    });
    const assessCase = invokeStep(this, 'AssessCase', assess, { resultPath: '$.assessment' });
    const writePack = invokeStep(this, 'WriteCasePack', pack, { resultPath: '$.pack' });
    const concluded = sfn.Condition.stringEquals('$.assessment.outcome', 'concluded');

    this.stateMachine = new ScrutineerStateMachine(this, 'StateMachine', {
      definition: noteExecution
        .next(assessCase)
        .next(
          new sfn.Choice(this, 'Concluded?')
            .when(concluded, writePack.next(new sfn.Succeed(this, 'CaseConcluded')))
            .otherwise(new sfn.Succeed(this, 'CaseAssessed')),
        ),
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(30),
      description: 'Concludes a case once its findings are in, and writes its evidence pack',
      invokes: [assess, pack],
    }).stateMachine;
  }
}
