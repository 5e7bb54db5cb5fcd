/**
 * Execution history in the shape of the Step Functions GetExecutionHistory API, built from the interpreter's
 * event log plus the task events the local task handlers record themselves.
 */
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { StateMachine } from 'aws-local-stepfunctions';

export type EventBody = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp' | 'type'> & {
  type: HistoryEventType;
};

/** A history event as kept in memory and on disk (timestamps as epoch milliseconds). */
export type StoredEvent = EventBody & { id: number; previousEventId: number; timestamp: number };

export type InterpreterEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

export interface TaskEvents {
  scheduled(parameters: unknown): EventBody;
  started(): EventBody;
  succeeded(output: unknown): EventBody;
  failed(error: string, cause: string): EventBody;
  timedOut(error: string, cause: string | undefined): EventBody;
}

export interface HistoryContext {
  readonly roleArn: string;
  readonly stopRequest?: { readonly error?: string; readonly cause?: string };
  taskEventsOf(stateName: string): TaskEvents | undefined;
}

const NOT_TRUNCATED = { truncated: false };
const json = (value: unknown): string => JSON.stringify(value ?? null);
const text = (value: unknown): string | undefined =>
  value === undefined || typeof value === 'string' ? value : JSON.stringify(value);

/** `arn:aws:states:::aws-sdk:s3:putObject` → [`aws-sdk:s3`, `putObject`], as AWS reports task resources. */
function splitResource(resourceArn: string): [string, string] {
  const [service = '', ...rest] = resourceArn.replace('arn:aws:states:::', '').split(':');
  if (service === 'aws-sdk') return [`aws-sdk:${rest[0]}`, rest.slice(1).join(':')];
  return [service, rest.join(':')];
}

export function taskEvents(resourceArn: string, region: string): TaskEvents {
  if (resourceArn.startsWith('arn:aws:lambda:')) {
    return {
      scheduled: (input) => ({
        type: 'LambdaFunctionScheduled',
        lambdaFunctionScheduledEventDetails: {
          resource: resourceArn,
          input: json(input),
          inputDetails: NOT_TRUNCATED,
        },
      }),
      started: () => ({ type: 'LambdaFunctionStarted' }),
      succeeded: (output) => ({
        type: 'LambdaFunctionSucceeded',
        lambdaFunctionSucceededEventDetails: { output: json(output), outputDetails: NOT_TRUNCATED },
      }),
      failed: (error, cause) => ({
        type: 'LambdaFunctionFailed',
        lambdaFunctionFailedEventDetails: { error, cause },
      }),
      timedOut: (error, cause) => ({
        type: 'LambdaFunctionTimedOut',
        lambdaFunctionTimedOutEventDetails: { error, cause },
      }),
    };
  }
  const [resourceType, resource] = splitResource(resourceArn);
  return {
    scheduled: (parameters) => ({
      type: 'TaskScheduled',
      taskScheduledEventDetails: { resourceType, resource, region, parameters: json(parameters) },
    }),
    started: () => ({ type: 'TaskStarted', taskStartedEventDetails: { resourceType, resource } }),
    succeeded: (output) => ({
      type: 'TaskSucceeded',
      taskSucceededEventDetails: {
        resourceType,
        resource,
        output: json(output),
        outputDetails: NOT_TRUNCATED,
      },
    }),
    failed: (error, cause) => ({
      type: 'TaskFailed',
      taskFailedEventDetails: { resourceType, resource, error, cause },
    }),
    timedOut: (error, cause) => ({
      type: 'TaskTimedOut',
      taskTimedOutEventDetails: { resourceType, resource, error, cause },
    }),
  };
}

/** The AWS history event for one interpreter event, if AWS has one (it has none for retries or catches). */
export function fromInterpreterEvent(
  event: InterpreterEvent,
  context: HistoryContext,
): EventBody | undefined {
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        type: 'ExecutionStarted',
        executionStartedEventDetails: {
          input: json(event.input),
          inputDetails: NOT_TRUNCATED,
          roleArn: context.roleArn,
        },
      };
    case 'ExecutionSucceeded':
      return {
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: json(event.output), outputDetails: NOT_TRUNCATED },
      };
    case 'ExecutionFailed':
      return {
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: event.Error, cause: text(event.Cause) },
      };
    case 'ExecutionAborted':
      return { type: 'ExecutionAborted', executionAbortedEventDetails: { ...context.stopRequest } };
    case 'ExecutionTimeout':
      return { type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } };
    case 'StateEntered':
      return {
        type: `${event.state.type}StateEntered` as HistoryEventType,
        stateEnteredEventDetails: {
          name: event.state.name,
          input: json(event.state.input),
          inputDetails: NOT_TRUNCATED,
        },
      };
    case 'StateExited':
      return {
        type: `${event.state.type}StateExited` as HistoryEventType,
        stateExitedEventDetails: {
          name: event.state.name,
          output: json(event.state.output),
          outputDetails: NOT_TRUNCATED,
        },
      };
    case 'StateFailed':
      if (event.state.type === 'Map' || event.state.type === 'Parallel') {
        return { type: `${event.state.type}StateFailed` };
      }
      // A task that fails by itself has already recorded TaskFailed; only the interpreter sees a timeout.
      if (event.state.type === 'Task' && event.Error === 'States.Timeout') {
        return context.taskEventsOf(event.state.name)?.timedOut(event.Error, text(event.Cause));
      }
      return undefined;
    case 'MapIterationStarted':
      return {
        type: 'MapIterationStarted',
        mapIterationStartedEventDetails: { name: event.parentState.name, index: event.index },
      };
    case 'MapIterationSucceeded':
      return {
        type: 'MapIterationSucceeded',
        mapIterationSucceededEventDetails: { name: event.parentState.name, index: event.index },
      };
    case 'MapIterationFailed':
      return {
        type: 'MapIterationFailed',
        mapIterationFailedEventDetails: { name: event.parentState.name, index: event.index },
      };
    default:
      return undefined;
  }
}
