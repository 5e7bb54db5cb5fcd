/**
 * A Lambda task with the house retry policy: errors that can never succeed (validation, not
 * found, conflict) are not retried and go to the workflow's Catch; throttles, timeouts and Lambda
 * service faults (shared/errors.ts) are retried with exponential backoff and full jitter.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { ScrutineerFunction } from '../infra/constructs/scrutineer-function.ts';
import { NON_RETRYABLE_ERRORS, RETRYABLE_ERRORS } from '../shared/errors.ts';

export interface InvokeStepProps {
  /** The event sent to the function; without one, the state's input is the event. */
  readonly payload?: sfn.TaskInput;
  /** Where the function's result goes in the state (`$` replaces it). */
  readonly resultPath: string;
  readonly timeout?: Duration;
}

export function invokeStep(scope: Construct, name: string, fn: ScrutineerFunction, props: InvokeStepProps) {
  return new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn.function,
    ...(props.payload ? { payload: props.payload } : {}),
    payloadResponseOnly: true,
    resultPath: props.resultPath,
    retryOnServiceExceptions: false,
    taskTimeout: sfn.Timeout.duration(props.timeout ?? Duration.minutes(6)),
  })
    .addRetry({ errors: [...NON_RETRYABLE_ERRORS], maxAttempts: 0 })
    .addRetry({
      errors: [...RETRYABLE_ERRORS],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 4,
      jitterStrategy: sfn.JitterType.FULL,
    });
}
