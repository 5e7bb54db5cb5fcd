/**
 * Draw a dip sample: count the population per stratum from the population index and allocate the
 * sample, select the lowest-ranked decisions of each stratum under the committed seed (strata in
 * parallel), write the manifest to the evidence bucket, and open a review case for every pick.
 *
 *   NoteExecution → CountPopulation (⇄ WaitForDrawLease while another sample draws) → EmptyPopulation?
 *     → SelectStrata (Map: SelectStratum) → WriteManifest → OpenReviewCases (gives the lease back)
 *   any failure → RecordSampleFailure → ReleaseDrawLease → SampleFailed
 */
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { DataTable } from '../infra/constructs/data-tables.ts';
import { ScrutineerFunction } from '../infra/constructs/scrutineer-function.ts';
import { ScrutineerStateMachine } from '../infra/constructs/scrutineer-state-machine.ts';
import { ENV } from '../shared/environment.ts';
import { sampleKeys } from '../shared/sampling/sample-store.ts';
import { dynamoKeyAt } from './dynamo-key.ts';
import { invokeStep } from './invoke-step.ts';

export interface DipSampleWorkflowProps {
  readonly table: DataTable;
  readonly auditTable: DataTable;
  readonly reportsBucket: s3.IBucket;
  readonly evidenceBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
}

export class DipSampleWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: DipSampleWorkflowProps) {
    super(scope, id);
    const step = (name: string, entry: string, description: string) => {
      const fn = new ScrutineerFunction(this, name, {
        entry,
        description,
        encryptionKey: props.encryptionKey,
        timeout: Duration.minutes(10),
        memorySize: 1024,
      });
      fn.bindTableReader(props.table, ENV.mainTable);
      return fn;
    };
    const work = { prefix: 'samples/' };
    const count = step(
      'CountPopulationFunction',
      'functions/steps/count-population.ts',
      'Counts a sample population',
    );
    count.bindTableWriter(props.table, ENV.mainTable);
    count.bindBucket(props.reportsBucket, ENV.reportsBucket, { write: true, ...work });
    const select = step('SelectStratumFunction', 'functions/steps/select-stratum.ts', 'Selects one stratum');
    select.bindBucket(props.reportsBucket, ENV.reportsBucket, { read: true, write: true, ...work });
    const manifest = step(
      'WriteManifestFunction',
      'functions/steps/write-manifest.ts',
      'Writes a sample manifest',
    );
    manifest.bindTableWriter(props.table, ENV.mainTable);
    manifest.bindBucket(props.reportsBucket, ENV.reportsBucket, { read: true, ...work });
    manifest.bindBucket(props.evidenceBucket, ENV.evidenceBucket, { write: true, ...work });
    manifest.bindTableAppender(props.auditTable, ENV.auditTable);
    const cases = step(
      'OpenReviewCasesFunction',
      'functions/steps/open-review-cases.ts',
      'Opens review cases',
    );
    cases.bindTableWriter(props.table, ENV.mainTable);
    cases.bindBucket(props.reportsBucket, ENV.reportsBucket, { read: true, ...work });
    cases.bindTableAppender(props.auditTable, ENV.auditTable);

    const noteExecution = new sfn.Pass(this, 'NoteExecution', {
      parameters: { 'id.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' },
      resultPath: '$.execution',
    });
    // One sample draws at a time: while another holds the draw lease, wait and try again. The
    // lease expires, so a draw that died holding it delays the next one, never stops it.
    const countPopulation = invokeStep(this, 'CountPopulation', count, { resultPath: '$.count' });
    const waitForLease = new sfn.Wait(this, 'WaitForDrawLease', {
      time: sfn.WaitTime.duration(Duration.seconds(3)),
    });
    countPopulation.addCatch(waitForLease, { errors: ['DrawInProgress'], resultPath: sfn.JsonPath.DISCARD });
    waitForLease.next(countPopulation);
    const selectStrata = new sfn.Map(this, 'SelectStrata', {
      itemsPath: '$.count.strata',
      maxConcurrency: 4,
      itemSelector: {
        'sampleId.$': '$.sampleId',
        'stratum.$': '$$.Map.Item.Value',
      },
      resultPath: '$.selections',
    }).itemProcessor(invokeStep(this, 'SelectStratum', select, { resultPath: '$' }));
    const writeManifest = invokeStep(this, 'WriteManifest', manifest, { resultPath: '$.manifest' });
    const openCases = invokeStep(this, 'OpenReviewCases', cases, { resultPath: '$.cases' });

    const recordFailure = new tasks.DynamoUpdateItem(this, 'RecordSampleFailure', {
      table: props.table.table,
      key: dynamoKeyAt(sampleKeys.item, '$.sampleId'),
      updateExpression: 'SET #status = :failed, failure = :failure',
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':failed': tasks.DynamoAttributeValue.fromString('FAILED'),
        ':failure': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.failure.Error')),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    const sampleFailed = new sfn.Fail(this, 'SampleFailed', {
      errorPath: '$.failure.Error',
      cause: 'See the sample record',
    });
    // A failed draw gives the lease back if it holds it, so the next sample need not wait it out.
    const releaseLease = new tasks.DynamoUpdateItem(this, 'ReleaseDrawLease', {
      table: props.table.table,
      key: dynamoKeyAt(sampleKeys.drawLock, '$.sampleId'),
      updateExpression: 'REMOVE holder, heldUntil',
      conditionExpression: 'holder = :sample',
      expressionAttributeValues: {
        ':sample': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.sampleId')),
      },
      resultPath: sfn.JsonPath.DISCARD,
    }).addCatch(sampleFailed, {
      errors: ['DynamoDB.ConditionalCheckFailedException'],
      resultPath: sfn.JsonPath.DISCARD,
    });
    recordFailure.next(releaseLease).next(sampleFailed);

    const draw = new sfn.Parallel(this, 'DrawSample', { resultPath: sfn.JsonPath.DISCARD })
      .branch(
        countPopulation.next(
          new sfn.Choice(this, 'EmptyPopulation')
            .when(
              sfn.Condition.numberEquals('$.count.populationSize', 0),
              new sfn.Succeed(this, 'NothingToDraw'),
            )
            .otherwise(selectStrata.next(writeManifest).next(openCases)),
        ),
      )
      .addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.failure' });

    this.stateMachine = new ScrutineerStateMachine(this, 'StateMachine', {
      definition: noteExecution.next(draw).next(new sfn.Succeed(this, 'SampleDrawn')),
      encryptionKey: props.encryptionKey,
      timeout: Duration.hours(2),
      description: 'Draws a reproducible dip sample of decisions',
      invokes: [count, select, manifest, cases],
    }).stateMachine;
  }
}
