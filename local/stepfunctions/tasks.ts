/**
 * Local implementations of the Task resources in resources.ts. Each failure is thrown as a TaskFailure
 * whose `name` is the error AWS would report, since that name is what Retry and Catch match on.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DescribeExecutionOutput, StartExecutionInput, StartExecutionOutput } from '@aws-sdk/client-sfn';
import type { FunctionRegistry, LocalFunction } from '../functions.ts';
import { StepFunctionsApiError } from './errors.ts';
import { type SdkService, sdkCommand, type TaskTarget } from './resources.ts';

/** A Task error as the interpreter sees it: `name` becomes the Error, `message` the Cause. */
export class TaskFailure extends Error {
  constructor(errorName: string, cause: string) {
    super(cause);
    this.name = errorName;
  }
}

export interface TaskDependencies {
  readonly functions: FunctionRegistry;
  readonly clients: { readonly dynamodb: DynamoDBClient; readonly s3: S3Client };
  startExecution(input: StartExecutionInput): Promise<StartExecutionOutput>;
  waitForExecution(executionArn: string): Promise<DescribeExecutionOutput>;
}

export type TaskInvoker = (parameters: unknown) => Promise<unknown>;

interface CommandSender {
  send(command: object): Promise<Record<string, unknown>>;
}

type Parameters = Record<string, unknown>;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Task outputs must be plain JSON: the interpreter copies values field by field, which empties a Date. */
export function toJson(value: unknown): unknown {
  const text = JSON.stringify(value ?? null, (_key, inner: unknown) =>
    inner instanceof Uint8Array ? Buffer.from(inner).toString('base64') : inner,
  );
  return JSON.parse(text);
}

// AWS reports a function error under the error's name, with the runtime's JSON error object as Cause.
function lambdaFailure(error: unknown): TaskFailure {
  const errorType = error instanceof Error ? error.name : 'Error';
  const trace = error instanceof Error && error.stack ? error.stack.split('\n') : [];
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage: messageOf(error), trace }));
}

async function invokeFunction(
  functions: FunctionRegistry,
  nameOrArn: string,
  payload: unknown,
): Promise<unknown> {
  let fn: LocalFunction;
  try {
    fn = functions.get(nameOrArn);
  } catch (error) {
    throw new TaskFailure('Lambda.ResourceNotFoundException', messageOf(error));
  }
  try {
    return await fn.invoke(payload);
  } catch (error) {
    throw lambdaFailure(error);
  }
}

// AWS names integration errors `<Service>.<Name>`, always with an "Exception" suffix (S3.NoSuchKeyException).
function sdkFailure(errorPrefix: string, error: unknown): TaskFailure {
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  if (!metadata?.httpStatusCode)
    return new TaskFailure(`${errorPrefix}.SdkClientException`, messageOf(error));
  const name = error instanceof Error ? error.name : 'Unknown';
  const errorName = name.endsWith('Exception') ? name : `${name}Exception`;
  const cause =
    `${messageOf(error)} (Service: ${errorPrefix}, Status Code: ${metadata.httpStatusCode}, ` +
    `Request ID: ${metadata.requestId ?? 'local'})`;
  return new TaskFailure(`${errorPrefix}.${errorName}`, cause);
}

async function sendCommand(
  sender: CommandSender,
  service: SdkService,
  commandName: string,
  errorPrefix: string,
  parameters: unknown,
): Promise<unknown> {
  const Command = sdkCommand(service, commandName) as new (input: unknown) => object;
  let response: Record<string, unknown>;
  try {
    response = await sender.send(new Command(parameters));
  } catch (error) {
    throw sdkFailure(errorPrefix, error);
  }
  const { $metadata: _metadata, ...output } = response;
  // AWS returns an S3 object body as text.
  const body = output.Body as { transformToString?: () => Promise<string> } | undefined;
  if (typeof body?.transformToString === 'function') output.Body = await body.transformToString();
  return output;
}

async function startExecution(
  dependencies: TaskDependencies,
  pattern: 'async' | 'sync' | 'sync:2',
  parameters: Parameters,
): Promise<unknown> {
  const { StateMachineArn, Name, Input } = parameters;
  let started: StartExecutionOutput;
  try {
    started = await dependencies.startExecution({
      stateMachineArn: String(StateMachineArn),
      name: Name === undefined ? undefined : String(Name),
      input: typeof Input === 'string' || Input === undefined ? Input : JSON.stringify(Input),
    });
  } catch (error) {
    if (error instanceof StepFunctionsApiError) {
      throw new TaskFailure(`StepFunctions.${error.name}Exception`, error.message);
    }
    throw error;
  }
  if (pattern === 'async') {
    return { ExecutionArn: started.executionArn, StartDate: started.startDate?.getTime() };
  }
  const child = await dependencies.waitForExecution(String(started.executionArn));
  const asJson = (text: string | undefined) =>
    pattern === 'sync:2' && text !== undefined ? JSON.parse(text) : text;
  const result = {
    ExecutionArn: child.executionArn,
    Input: asJson(child.input),
    InputDetails: { Included: true },
    Name: child.name,
    ...(child.output === undefined
      ? {}
      : { Output: asJson(child.output), OutputDetails: { Included: true } }),
    ...(child.error === undefined ? {} : { Error: child.error }),
    ...(child.cause === undefined ? {} : { Cause: child.cause }),
    StartDate: child.startDate?.getTime(),
    StateMachineArn: child.stateMachineArn,
    Status: child.status,
    StopDate: child.stopDate?.getTime(),
  };
  if (child.status !== 'SUCCEEDED') throw new TaskFailure('States.TaskFailed', JSON.stringify(result));
  return result;
}

export function taskInvoker(target: TaskTarget, dependencies: TaskDependencies): TaskInvoker {
  const { functions, clients } = dependencies;
  switch (target.kind) {
    case 'lambdaInvoke':
      return async (parameters) => {
        const { FunctionName, Payload } = parameters as Parameters;
        const result = await invokeFunction(functions, String(FunctionName), Payload);
        // The Invoke API response, which is what CDK's LambdaInvoke hands on unless told otherwise.
        return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: result ?? null };
      };
    case 'lambdaFunction':
      return (input) => invokeFunction(functions, target.functionArn, input);
    case 'sdk': {
      const sender = clients[target.service] as unknown as CommandSender;
      return (parameters) =>
        sendCommand(sender, target.service, target.commandName, target.errorPrefix, parameters);
    }
    case 'startExecution':
      return (parameters) => startExecution(dependencies, target.pattern, parameters as Parameters);
  }
}
