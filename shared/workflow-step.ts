/**
 * Every workflow step handler goes through here: its input is parsed with the same zod schema the
 * workflow is built against, so a payload the state machine sends and the handler reads cannot
 * drift. Errors keep their `name`, which the workflow's Retry and Catch match on.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { z } from 'zod';
import { NON_RETRYABLE_ERRORS, RETRYABLE_ERRORS } from './errors.ts';
import { parseOrThrow } from './validation.ts';

export const stepLogger = new Logger({ serviceName: 'scrutineer-workflow' });

/**
 * How loudly a step's error is logged: waiting for another draw is the workflow's own flow, a
 * throttle is retried and input that can never succeed is caught by the workflow (both warnings);
 * anything else is an error someone must look at.
 */
function logFailure(errorName: string): void {
  if (errorName === 'DrawInProgress') stepLogger.info('Step waits for another draw', { errorName });
  else if ((RETRYABLE_ERRORS as readonly string[]).includes(errorName))
    stepLogger.warn('Step will be retried', { errorName });
  else if ((NON_RETRYABLE_ERRORS as readonly string[]).includes(errorName))
    stepLogger.warn('Step refused its input', { errorName });
  else stepLogger.error('Step failed', { errorName });
}

export function workflowStep<S extends z.ZodType, R>(
  stepName: string,
  input: S,
  action: (input: z.infer<S>) => Promise<R>,
) {
  return middy<unknown, R>().handler(async (event) => {
    stepLogger.appendKeys({ step: stepName });
    try {
      return await action(parseOrThrow(input, event, `${stepName} input`));
    } catch (error) {
      // Name and stack only: step inputs can carry case data.
      logFailure(error instanceof Error ? error.name : 'Error');
      throw error;
    } finally {
      stepLogger.resetKeys();
    }
  });
}
