/**
 * Import decisions: plan the uploaded export into chunks of whole records, import the chunks in
 * parallel (each writes its decisions idempotently and its rejected rows to an error part), then
 * add up the counts, join the error report and record the outcome on the import record.
 *
 *   NoteExecution → MarkImportRunning → PlanImport → ImportChunks (Map: ImportChunk)
 *     → HasOutcomesFile? ApplyOutcomes (Map: ApplyOutcomesChunk) → SummariseImport
 *   any failure → RecordImportFailure → ImportFailed
 */
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { DataTable } from '../infra/constructs/data-tables.ts';
import { ScrutineerFunction } from '../infra/constructs/scrutineer-function.ts';
import { ScrutineerStateMachine } from '../infra/constructs/scrutineer-state-machine.ts';
import { ENV } from '../shared/environment.ts';
import { importKeys } from '../shared/imports/import-store.ts';
import { dynamoKeyAt } from './dynamo-key.ts';
import { invokeStep } from './invoke-step.ts';

export interface ImportDecisionsWorkflowProps {
  readonly table: DataTable;
  readonly auditTable: DataTable;
  readonly importsBucket: s3.IBucket;
  readonly pseudonymKey: secretsmanager.ISecret;
  /** Seals each crime's original reference at import, for an authorised reveal. */
  readonly reidentificationKey: kms.IKey;
  readonly encryptionKey: kms.IKey;
}

/** The import record's key, from the execution input's import id, by the table's own key builder. */
const importRecord = (table: DataTable) => ({
  table: table.table,
  key: dynamoKeyAt(importKeys.item, '$.importId'),
});

export class ImportDecisionsWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ImportDecisionsWorkflowProps) {
    super(scope, id);
    const step = (name: string, entry: string, description: string) =>
      new ScrutineerFunction(this, name, {
        entry,
        description,
        encryptionKey: props.encryptionKey,
        timeout: Duration.minutes(5),
        memorySize: 1024,
      });

    const plan = step(
      'PlanImportFunction',
      'functions/steps/plan-import.ts',
      'Checks the header and plans chunks',
    );
    plan.bindBucket(props.importsBucket, ENV.importsBucket, { read: true, prefix: 'uploads/' });
    plan.bindTableWriter(props.table, ENV.mainTable);
    const chunk = step(
      'ImportChunkFunction',
      'functions/steps/import-chunk.ts',
      'Imports one chunk of decisions',
    );
    const outcomes = step(
      'ApplyOutcomesFunction',
      'functions/steps/apply-outcomes-chunk.ts',
      'Applies one chunk of a police.uk outcomes file',
    );
    // Both read a chunk of an upload, write decisions and their rejected rows, and pseudonymise.
    for (const fn of [chunk, outcomes]) {
      fn.bindBucket(props.importsBucket, ENV.importsBucket, { read: true, prefix: 'uploads/' });
      fn.bindBucket(props.importsBucket, ENV.importsBucket, { write: true, prefix: 'errors/' });
      fn.bindTableWriter(props.table, ENV.mainTable);
      fn.bindSecret(props.pseudonymKey, ENV.pseudonymKeySecret);
    }
    chunk.bindEnvelopeKey(props.reidentificationKey, ENV.reidentificationKey, { seal: true });
    const summarise = step(
      'SummariseImportFunction',
      'functions/steps/summarise-import.ts',
      'Totals an import',
    );
    summarise.bindBucket(props.importsBucket, ENV.importsBucket, {
      read: true,
      write: true,
      prefix: 'errors/',
    });
    summarise.bindTableWriter(props.table, ENV.mainTable);
    summarise.bindTableAppender(props.auditTable, ENV.auditTable);

    const { table } = props;
    // Steps that write audit events name the execution as their request.
    const noteExecution = new sfn.Pass(this, 'NoteExecution', {
      parameters: { 'id.$': '$$.Execution.Id' },
      resultPath: '$.execution',
    });
    const markRunning = new tasks.DynamoUpdateItem(this, 'MarkImportRunning', {
      ...importRecord(table),
      updateExpression: 'SET #status = :running, startedAt = :startedAt',
      conditionExpression: '#status IN (:awaiting, :queued)',
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':running': tasks.DynamoAttributeValue.fromString('RUNNING'),
        ':awaiting': tasks.DynamoAttributeValue.fromString('AWAITING_UPLOAD'),
        ':queued': tasks.DynamoAttributeValue.fromString('QUEUED'),
        ':startedAt': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$$.Execution.StartTime')),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });

    // The whole state is each step's event (the file, who started it, the plan, the results);
    // each handler's schema takes what it needs.
    const planImport = invokeStep(this, 'PlanImport', plan, { resultPath: '$.plan' });

    const chunkItem = (header: string) => ({
      'importId.$': '$.importId',
      'bucket.$': '$.bucket',
      'objectKey.$': '$.objectKey',
      'format.$': '$.format',
      'header.$': header,
      'chunk.$': '$$.Map.Item.Value',
    });
    const importChunks = new sfn.Map(this, 'ImportChunks', {
      itemsPath: '$.plan.chunks',
      maxConcurrency: 4,
      itemSelector: chunkItem('$.plan.header'),
      resultPath: '$.results',
    }).itemProcessor(invokeStep(this, 'ImportChunk', chunk, { resultPath: '$' }));

    const applyOutcomes = new sfn.Map(this, 'ApplyOutcomes', {
      itemsPath: '$.plan.outcomes.chunks',
      maxConcurrency: 4,
      itemSelector: { ...chunkItem('$.plan.outcomes.header'), 'outcomesObjectKey.$': '$.outcomesObjectKey' },
      resultPath: '$.outcomeResults',
    }).itemProcessor(invokeStep(this, 'ApplyOutcomesChunk', outcomes, { resultPath: '$' }));
    const noOutcomes = new sfn.Pass(this, 'NoOutcomesFile', {
      result: sfn.Result.fromArray([]),
      resultPath: '$.outcomeResults',
    });

    const summariseImport = invokeStep(this, 'SummariseImport', summarise, { resultPath: '$.summary' });
    const outcomesThenSummary = new sfn.Choice(this, 'HasOutcomesFile')
      .when(sfn.Condition.isPresent('$.plan.outcomes.chunks[0]'), applyOutcomes.next(summariseImport))
      .otherwise(noOutcomes.next(summariseImport));

    const recordFailure = new tasks.DynamoUpdateItem(this, 'RecordImportFailure', {
      ...importRecord(table),
      updateExpression: 'SET #status = :failed, failure = :failure',
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':failed': tasks.DynamoAttributeValue.fromString('FAILED'),
        // The error name only: a cause can quote file content.
        ':failure': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.failure.Error')),
      },
      resultPath: sfn.JsonPath.DISCARD,
    }).next(
      new sfn.Fail(this, 'ImportFailed', {
        errorPath: '$.failure.Error',
        cause: 'The import failed; see the import record',
      }),
    );

    const work = new sfn.Parallel(this, 'RunImport', { resultPath: sfn.JsonPath.DISCARD })
      .branch(planImport.next(importChunks).next(outcomesThenSummary))
      .addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.failure' });

    const notStartable = new sfn.Fail(this, 'ImportNotStartable', {
      error: 'ConflictError',
      cause: 'The import is not waiting to be started',
    });
    markRunning.addCatch(notStartable, {
      errors: ['DynamoDB.ConditionalCheckFailedException'],
      resultPath: sfn.JsonPath.DISCARD,
    });

    this.stateMachine = new ScrutineerStateMachine(this, 'StateMachine', {
      definition: noteExecution.next(markRunning).next(work).next(new sfn.Succeed(this, 'ImportCompleted')),
      encryptionKey: props.encryptionKey,
      timeout: Duration.hours(6),
      description: 'Imports a decision export into Scrutineer',
      invokes: [plan, chunk, outcomes, summarise],
    }).stateMachine;
  }
}
