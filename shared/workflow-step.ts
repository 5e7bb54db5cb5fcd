/**
 * Every workflow step handler goes through here: its input is parsed with the same zod schema the
 * workflow is built against, so a payload the state machine sends and the handler reads cannot
 * drift. Errors keep their `name`, which the workflow's Retry and Catch match on.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { z } from 'zod';
import { parseOrThrow } from './validation.ts';

export const stepLogger = new Logger({ serviceName: 'scrutineer-workflow' });

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
      stepLogger.error('Step failed', { errorName: error instanceof Error ? error.name : 'Error' });
      throw error;
    } finally {
      stepLogger.resetKeys();
    }
  });
}
