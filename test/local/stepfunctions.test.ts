import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { FunctionRegistry } from '../../local/functions.ts';
import {
  checkDefinition,
  MAX_TIMER_SECONDS,
  prepareDefinition,
  UnsupportedDefinitionError,
} from '../../local/stepfunctions/definition.ts';
import { createStepFunctionsEndpoint } from '../../local/stepfunctions/endpoint.ts';
import { LocalStepFunctions, RUNTIME_STOPPED_CAUSE } from '../../local/stepfunctions/service.ts';
import { type CfnTemplate, type ResolvedTemplate, resolveTemplate } from '../../local/template.ts';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
const HANDLERS = 'test/fixtures/stepfunctions/handlers.ts';
const REGION = 'eu-west-2';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
// s3rver checks the access key id (not the signature) against its one built-in account.
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

// The S3 stand-in is CommonJS without type declarations.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => { run(): Promise<AddressInfo>; close(): Promise<void> };

function synthesizeFixtureStack(): CfnTemplate {
  const stack = new Stack(new App(), 'StepFunctionsFixture');
  const handlerFunction = (id: string, exportName: string) => {
    const fn = new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('x'),
    });
    const cfnFunction = fn.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addMetadata('scrutineer:entry', HANDLERS);
    cfnFunction.addMetadata('scrutineer:handler', exportName);
    return fn;
  };
  const table = new dynamodb.Table(stack, 'Cases', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const bucket = new s3.Bucket(stack, 'Documents');

  const validate = new tasks.LambdaInvoke(stack, 'Validate', {
    lambdaFunction: handlerFunction('ValidateFunction', 'validate'),
    resultPath: '$.validation',
  });
  const flaky = new tasks.LambdaInvoke(stack, 'CallDependency', {
    lambdaFunction: handlerFunction('FlakyFunction', 'flaky'),
    payloadResponseOnly: true,
    resultPath: '$.dependency',
  }).addRetry({ errors: ['TransientError'], interval: Duration.seconds(30), maxAttempts: 2 });
  const save = new tasks.DynamoPutItem(stack, 'SaveCase', {
    table,
    item: {
      pk: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.caseId')),
      status: tasks.DynamoAttributeValue.fromString('received'),
    },
    conditionExpression: 'attribute_not_exists(pk)',
    resultPath: sfn.JsonPath.DISCARD,
  });
  const store = new tasks.CallAwsService(stack, 'StoreDocument', {
    service: 's3',
    action: 'putObject',
    parameters: {
      Bucket: bucket.bucketName,
      Key: sfn.JsonPath.format('{}.txt', sfn.JsonPath.stringAt('$.caseId')),
      Body: sfn.JsonPath.stringAt('$.caseId'),
    },
    iamResources: [bucket.arnForObjects('*')],
    resultPath: sfn.JsonPath.DISCARD,
  });
  const each = new sfn.Map(stack, 'DoubleEachItem', {
    itemsPath: '$.items',
    resultPath: '$.doubled',
  }).itemProcessor(
    new tasks.LambdaInvoke(stack, 'Double', {
      lambdaFunction: handlerFunction('DoubleFunction', 'double'),
      payloadResponseOnly: true,
    }),
  );
  const recordContext = new sfn.Pass(stack, 'RecordContext', {
    parameters: {
      'executionId.$': '$$.Execution.Id',
      'executionName.$': '$$.Execution.Name',
      'startTime.$': '$$.Execution.StartTime',
      'input.$': '$$.Execution.Input',
      'roleArn.$': '$$.Execution.RoleArn',
      'stateMachineId.$': '$$.StateMachine.Id',
      'stateMachineName.$': '$$.StateMachine.Name',
    },
    resultPath: '$.context',
  });
  validate.addCatch(new sfn.Pass(stack, 'Rejected'), { errors: ['ValidationError'], resultPath: '$.error' });
  save.addCatch(new sfn.Pass(stack, 'AlreadySaved').next(store), {
    errors: ['DynamoDB.ConditionalCheckFailedException'],
    resultPath: '$.saveError',
  });
  const main = new sfn.StateMachine(stack, 'CaseIntake', {
    stateMachineName: 'case-intake',
    definitionBody: sfn.DefinitionBody.fromChainable(
      validate
        .next(flaky)
        .next(save)
        .next(store)
        .next(
          new sfn.Choice(stack, 'HasItems')
            .when(sfn.Condition.isPresent('$.items'), each.next(recordContext))
            .otherwise(recordContext),
        ),
    ),
  });
  new sfn.StateMachine(stack, 'Waiter', {
    definitionBody: sfn.DefinitionBody.fromChainable(
      new sfn.Wait(stack, 'WaitForReview', { time: sfn.WaitTime.duration(Duration.hours(1)) }),
    ),
  });
  new sfn.StateMachine(stack, 'Parent', {
    definitionBody: sfn.DefinitionBody.fromChainable(
      new tasks.StepFunctionsStartExecution(stack, 'RunIntake', {
        stateMachine: main,
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      }),
    ),
  });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

let template: ResolvedTemplate;
let dynamoDbLocal: DynamoDbLocal;
let s3rver: InstanceType<typeof S3rver>;
let dynamodbClient: DynamoDBClient;
let s3Client: S3Client;
let service: LocalStepFunctions;
let endpointServer: Server;
let endpointUrl: string;
let sfnClient: SFNClient;
const temporaryDirectories: string[] = [];

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-sfn-'));
  temporaryDirectories.push(directory);
  return directory;
}

function stateMachineArn(logicalIdPrefix: string): string {
  const resource = template
    .ofType('AWS::StepFunctions::StateMachine')
    .find((candidate) => candidate.logicalId.startsWith(logicalIdPrefix));
  if (!resource) throw new Error(`No state machine ${logicalIdPrefix} in the fixture template`);
  return template.attributeOf(resource.logicalId, 'Arn');
}

function createService(dataDir: string): Promise<LocalStepFunctions> {
  return LocalStepFunctions.create({
    template,
    functions: new FunctionRegistry(template, PROJECT_ROOT),
    clients: { dynamodb: dynamodbClient, s3: s3Client },
    dataDir,
    fastRetries: true,
  });
}

async function run(machine: string, input: unknown, name?: string) {
  const { executionArn } = await sfnClient.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn(machine),
      input: JSON.stringify(input),
      name,
    }),
  );
  if (!executionArn) throw new Error('StartExecution returned no executionArn');
  await service.waitForExecution(executionArn);
  return sfnClient.send(new DescribeExecutionCommand({ executionArn }));
}

async function historyOf(executionArn: string | undefined): Promise<HistoryEvent[]> {
  const { events = [] } = await sfnClient.send(
    new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
  );
  return events;
}

beforeAll(async () => {
  template = resolveTemplate(synthesizeFixtureStack());

  dynamoDbLocal = await startDynamoDbLocal({ dataDir: await temporaryDirectory() });
  dynamodbClient = new DynamoDBClient({
    endpoint: dynamoDbLocal.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });
  const [table] = template.ofType('AWS::DynamoDB::Table');
  await dynamodbClient.send(
    new CreateTableCommand({
      TableName: template.refOf(String(table?.logicalId)),
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

  const [bucket] = template.ofType('AWS::S3::Bucket');
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: await temporaryDirectory(),
    silent: true,
    configureBuckets: [{ name: template.refOf(String(bucket?.logicalId)) }],
  });
  const { port: s3Port } = await s3rver.run();
  s3Client = new S3Client({
    endpoint: `http://127.0.0.1:${s3Port}`,
    region: REGION,
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

  service = await createService(await temporaryDirectory());
  endpointServer = createServer(createStepFunctionsEndpoint(service));
  await new Promise<void>((resolve) => endpointServer.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpointServer.address() as AddressInfo).port}`;
  sfnClient = new SFNClient({ endpoint: endpointUrl, region: REGION, credentials: CREDENTIALS });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await new Promise((resolve) => endpointServer?.close(resolve));
  await dynamoDbLocal?.close();
  await s3rver?.close();
  sfnClient?.destroy();
  dynamodbClient?.destroy();
  s3Client?.destroy();
  await Promise.all(temporaryDirectories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('local Step Functions service', () => {
  it('runs a CDK-built workflow, with its effects visible in DynamoDB and S3', async () => {
    const execution = await run('CaseIntake', { caseId: 'case-1', items: [1, 2, 3] });

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(String(execution.output));
    expect(output.validation).toEqual({
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
      Payload: { checked: true, caseId: 'case-1' },
    });
    expect(output.doubled).toEqual([2, 4, 6]);

    const tableName = template.refOf(String(template.ofType('AWS::DynamoDB::Table')[0]?.logicalId));
    const { Item } = await dynamodbClient.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'case-1' } } }),
    );
    expect(Item?.status).toEqual({ S: 'received' });
    const bucketName = template.refOf(String(template.ofType('AWS::S3::Bucket')[0]?.logicalId));
    const document = await s3Client.send(new GetObjectCommand({ Bucket: bucketName, Key: 'case-1.txt' }));
    expect(await document.Body?.transformToString()).toBe('case-1');
  });

  it('supplies the context object', async () => {
    const input = { caseId: 'case-context' };
    const execution = await run('CaseIntake', input, 'context-check');

    const { context } = JSON.parse(String(execution.output));
    const machine = await sfnClient.send(
      new DescribeStateMachineCommand({ stateMachineArn: stateMachineArn('CaseIntake') }),
    );
    expect(context).toMatchObject({
      executionId: execution.executionArn,
      executionName: 'context-check',
      input,
      roleArn: machine.roleArn,
      stateMachineId: stateMachineArn('CaseIntake'),
      stateMachineName: 'case-intake',
    });
    expect(machine.roleArn).toMatch(/^arn:aws:iam::000000000000:role\//);
    expect(Math.abs(Date.parse(context.startTime) - Number(execution.startDate?.getTime()))).toBeLessThan(
      1000,
    );
  });

  it('routes a Lambda error to Catch by its name, with the AWS error object as Cause', async () => {
    const execution = await run('CaseIntake', { caseId: 'case-invalid', valid: false });

    expect(execution.status).toBe('SUCCEEDED');
    const { error } = JSON.parse(String(execution.output));
    expect(error.Error).toBe('ValidationError');
    const cause = JSON.parse(error.Cause);
    expect(cause).toMatchObject({
      errorType: 'ValidationError',
      errorMessage: 'Case case-invalid has no decision record',
    });
    expect(cause.trace[0]).toBe('ValidationError: Case case-invalid has no decision record');
    const events = await historyOf(execution.executionArn);
    expect(events.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'ValidationError',
    });
  });

  it('names service integration errors as AWS does, so a conditional write can be caught', async () => {
    await run('CaseIntake', { caseId: 'case-twice' });
    const second = await run('CaseIntake', { caseId: 'case-twice' });

    expect(second.status).toBe('SUCCEEDED');
    const { saveError } = JSON.parse(String(second.output));
    expect(saveError.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(saveError.Cause).toMatch(/Status Code: 400/);
  });

  it('retries a failed task and then succeeds, without waiting out the interval', async () => {
    const started = Date.now();
    const execution = await run('CaseIntake', { caseId: 'case-retry' });

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(JSON.parse(String(execution.output)).dependency).toEqual({ attempts: 2 });
    const lambdaEvents = (await historyOf(execution.executionArn))
      .map((event) => event.type)
      .filter((type) => type?.startsWith('LambdaFunction'));
    expect(lambdaEvents).toEqual([
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
    ]);
  });

  it('treats a repeated start with the same name and input as idempotent, and anything else as a clash', async () => {
    const waiter = stateMachineArn('Waiter');
    const start = (input: string) =>
      sfnClient.send(new StartExecutionCommand({ stateMachineArn: waiter, name: 'review-1', input }));

    const first = await start('{"caseId":"a"}');
    const again = await start('{"caseId":"a"}');
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    await expect(start('{"caseId":"b"}')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });

    await sfnClient.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    await expect(start('{"caseId":"a"}')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('rejects bad starts with the AWS error names', async () => {
    await expect(
      sfnClient.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn('Waiter')}-missing` })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      sfnClient.send(
        new StartExecutionCommand({ stateMachineArn: stateMachineArn('Waiter'), input: '{not json' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(
      sfnClient.send(new DescribeExecutionCommand({ executionArn: `${stateMachineArn('Waiter')}:nope` })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('describes, lists newest first with paging, and returns the history in AWS shapes', async () => {
    const older = await run('CaseIntake', { caseId: 'case-list-1', items: [5] });
    const newer = await run('CaseIntake', { caseId: 'case-list-2' });
    const caseIntake = stateMachineArn('CaseIntake');

    expect(newer).toMatchObject({
      status: 'SUCCEEDED',
      stateMachineArn: caseIntake,
      input: '{"caseId":"case-list-2"}',
    });
    expect(newer.startDate).toBeInstanceOf(Date);
    expect(newer.stopDate?.getTime()).toBeGreaterThanOrEqual(Number(newer.startDate?.getTime()));

    const firstPage = await sfnClient.send(
      new ListExecutionsCommand({ stateMachineArn: caseIntake, statusFilter: 'SUCCEEDED', maxResults: 1 }),
    );
    expect(firstPage.executions?.map((item) => item.executionArn)).toEqual([newer.executionArn]);
    const secondPage = await sfnClient.send(
      new ListExecutionsCommand({
        stateMachineArn: caseIntake,
        maxResults: 1,
        nextToken: firstPage.nextToken,
      }),
    );
    expect(secondPage.executions?.map((item) => item.executionArn)).toEqual([older.executionArn]);

    const events = await historyOf(older.executionArn);
    expect(events.map((event) => event.id)).toEqual(events.map((_event, index) => index + 1));
    expect(events.map((event) => event.previousEventId)).toEqual(events.map((_event, index) => index));
    expect(events[0]).toMatchObject({
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: '{"caseId":"case-list-1","items":[5]}' },
    });
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    const types = events.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'TaskStateEntered',
        'TaskStateExited',
        'ChoiceStateEntered',
        'MapStateEntered',
      ]),
    );
    const validateEvents = events.filter(
      (event) =>
        event.stateEnteredEventDetails?.name === 'Validate' ||
        event.stateExitedEventDetails?.name === 'Validate' ||
        event.taskScheduledEventDetails?.resource === 'invoke',
    );
    expect(validateEvents.map((event) => event.type)).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStateExited',
    ]);
    expect(events.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: REGION,
    });
    expect(
      events.find((event) => event.type === 'MapIterationStarted')?.mapIterationStartedEventDetails,
    ).toEqual({
      name: 'DoubleEachItem',
      index: 0,
    });

    const lastTwo = await sfnClient.send(
      new GetExecutionHistoryCommand({ executionArn: older.executionArn, reverseOrder: true, maxResults: 2 }),
    );
    expect(lastTwo.events?.map((event) => event.id)).toEqual([events.length, events.length - 1]);
    const nextTwo = await sfnClient.send(
      new GetExecutionHistoryCommand({
        executionArn: older.executionArn,
        reverseOrder: true,
        maxResults: 2,
        nextToken: lastTwo.nextToken,
      }),
    );
    expect(nextTwo.events?.map((event) => event.id)).toEqual([events.length - 2, events.length - 3]);
  });

  it('stops a running execution as ABORTED', async () => {
    const { executionArn } = await sfnClient.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn('Waiter'), input: '{}' }),
    );
    expect((await sfnClient.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    const { stopDate } = await sfnClient.send(
      new StopExecutionCommand({ executionArn, error: 'Withdrawn', cause: 'Referral withdrawn' }),
    );

    expect(stopDate).toBeInstanceOf(Date);
    const execution = await sfnClient.send(new DescribeExecutionCommand({ executionArn }));
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Withdrawn', cause: 'Referral withdrawn' });
    const events = await historyOf(executionArn);
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'ExecutionAborted',
    ]);
    expect(events.at(-1)?.executionAbortedEventDetails).toEqual({
      error: 'Withdrawn',
      cause: 'Referral withdrawn',
    });
  });

  it('runs a nested workflow with startExecution.sync:2 and returns its output as JSON', async () => {
    const execution = await run('Parent', { caseId: 'case-nested' });

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(String(execution.output));
    expect(output).toMatchObject({
      Status: 'SUCCEEDED',
      StateMachineArn: stateMachineArn('CaseIntake'),
      Input: { caseId: 'case-nested' },
      Output: { caseId: 'case-nested', dependency: { attempts: 2 } },
    });
    expect(typeof output.StartDate).toBe('number');
  });

  it('lists and describes state machines, and refuses unknown operations', async () => {
    const { stateMachines = [] } = await sfnClient.send(new ListStateMachinesCommand({}));
    expect(stateMachines.map((machine) => machine.name)).toEqual(
      expect.arrayContaining([
        'case-intake',
        expect.stringMatching(/^Parent/),
        expect.stringMatching(/^Waiter/),
      ]),
    );
    expect(stateMachines).toHaveLength(3);
    const machine = await sfnClient.send(
      new DescribeStateMachineCommand({ stateMachineArn: stateMachineArn('CaseIntake') }),
    );
    expect(JSON.parse(String(machine.definition)).StartAt).toBe('Validate');
    expect(machine).toMatchObject({ status: 'ACTIVE', type: 'STANDARD' });
    expect(machine.creationDate).toBeInstanceOf(Date);

    const response = await fetch(endpointUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.DeleteStateMachine',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('keeps executions across a restart, marking those left running as ABORTED', async () => {
    const dataDir = await temporaryDirectory();
    const first = await createService(dataDir);
    const completed = await first.startExecution({
      stateMachineArn: stateMachineArn('CaseIntake'),
      input: '{"caseId":"case-restart"}',
    });
    const completedDescription = await first.waitForExecution(String(completed.executionArn));
    const completedHistory = await first.getExecutionHistory({ executionArn: completed.executionArn });
    const left = await first.startExecution({ stateMachineArn: stateMachineArn('Waiter'), input: '{}' });

    // A second instance on the same directory sees the state the first left on disk, as after a crash.
    const second = await createService(dataDir);
    try {
      expect(await second.describeExecution({ executionArn: completed.executionArn })).toEqual(
        completedDescription,
      );
      expect(await second.getExecutionHistory({ executionArn: completed.executionArn })).toEqual(
        completedHistory,
      );
      expect(await second.describeExecution({ executionArn: left.executionArn })).toMatchObject({
        status: 'ABORTED',
        cause: RUNTIME_STOPPED_CAUSE,
      });
      const { executions = [] } = await second.listExecutions({ stateMachineArn: stateMachineArn('Waiter') });
      expect(executions.map((item) => item.executionArn)).toEqual([left.executionArn]);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('refuses to load a template whose state machine the interpreter would get wrong', async () => {
    const cfnTemplate: CfnTemplate = {
      Resources: {
        Broken: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            StateMachineName: 'broken',
            DefinitionString: JSON.stringify({
              StartAt: 'Score',
              States: { Score: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% 1 %}', End: true } },
            }),
          },
        },
      },
    };
    const brokenTemplate = resolveTemplate(cfnTemplate);

    await expect(
      LocalStepFunctions.create({
        template: brokenTemplate,
        functions: new FunctionRegistry(brokenTemplate, PROJECT_ROOT),
        clients: { dynamodb: dynamodbClient, s3: s3Client },
        dataDir: await temporaryDirectory(),
      }),
    ).rejects.toThrow(/"broken"[\s\S]*"Score" uses JSONata/);
  });
});

describe('checkDefinition', () => {
  const machineWith = (state: Record<string, unknown>) => ({
    StartAt: 'Only',
    States: { Only: { End: true, ...state } },
  });
  const refusal = (definition: object): string => {
    try {
      checkDefinition(definition, 'case-review');
    } catch (error) {
      expect(error).toBeInstanceOf(UnsupportedDefinitionError);
      return (error as Error).message;
    }
    throw new Error('checkDefinition accepted the definition');
  };

  it('accepts a plain JSONPath definition', () => {
    expect(() => checkDefinition(machineWith({ Type: 'Pass' }), 'case-review')).not.toThrow();
  });

  it('refuses JSONata, at the top level or in a state', () => {
    expect(refusal({ ...machineWith({ Type: 'Pass' }), QueryLanguage: 'JSONata' })).toMatch(
      /"case-review"[\s\S]*JSONata at the top level/,
    );
    expect(refusal(machineWith({ Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% 1 %}' }))).toMatch(
      /"case-review"[\s\S]*state "Only" uses JSONata/,
    );
  });

  it('refuses Assign', () => {
    expect(refusal(machineWith({ Type: 'Pass', Assign: { seen: true } }))).toMatch(
      /state "Only" uses Assign/,
    );
  });

  it('refuses Distributed Map features, in nested states too', () => {
    const distributed = machineWith({
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Fan',
          States: {
            Fan: {
              Type: 'Map',
              End: true,
              ItemReader: {
                Resource: 'arn:aws:states:::s3:getObject',
                Parameters: { Bucket: 'b', Key: 'k' },
                ReaderConfig: { InputType: 'JSON' },
              },
              ItemProcessor: {
                ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
                StartAt: 'Item',
                States: { Item: { Type: 'Pass', End: true } },
              },
            },
          },
        },
      ],
    });
    const message = refusal(distributed);
    expect(message).toMatch(/state "Fan" uses ItemReader/);
    expect(message).toMatch(/state "Fan" is a Distributed Map/);
  });

  it('refuses the callback pattern and resources with no local implementation', () => {
    expect(
      refusal(
        machineWith({
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'reviewer', 'Payload.$': '$' },
        }),
      ),
    ).toMatch(/"case-review"[\s\S]*state "Only" uses the callback pattern/);
    expect(
      refusal(machineWith({ Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: {} })),
    ).toMatch(
      /state "Only" uses Resource "arn:aws:states:::sqs:sendMessage", which has no local implementation/,
    );
  });
});

describe('prepareDefinition', () => {
  it('drops ResultPath "$" and keeps timeouts within what a timer can hold', () => {
    const prepared = prepareDefinition({
      StartAt: 'Call',
      TimeoutSeconds: 60 * 24 * 60 * 60,
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          ResultPath: '$',
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$', Next: 'Slow' }],
          Next: 'Slow',
        },
        Slow: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          TimeoutSeconds: 99_999_999,
          End: true,
        },
      },
    }) as unknown as { TimeoutSeconds: number; States: Record<string, Record<string, unknown>> };

    expect(prepared.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(prepared.States.Call).not.toHaveProperty('ResultPath');
    expect(prepared.States.Call?.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Slow' }]);
    expect(prepared.States.Call?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(prepared.States.Slow?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
  });
});
