/**
 * Transient DynamoDB faults for the handlers' shared client, for tests that prove every change
 * converges when calls fail the way they fail in AWS:
 *
 * - throttling: the request never reaches the table (`ThrottlingException`);
 * - a lost answer: the request is applied, then the connection times out before the answer
 *   arrives (`TimeoutError`), so the caller cannot tell whether it happened.
 *
 * Each fault is injected inside the SDK's retry loop, so the SDK retries as it would in AWS; a
 * call whose every attempt fails reaches the handler as an error, and the handler's caller (the
 * workflow's retry, the client resending) tries again. Draws are seeded: a run can be repeated.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { seededRandom } from './synthetic-data.ts';

export interface FaultCounts {
  calls: number;
  throttled: number;
  answersLost: number;
}

export interface FaultInjection {
  readonly counts: FaultCounts;
  stop(): void;
}

const MIDDLEWARE = 'scrutineerFaultInjection';

const fault = (name: string, message: string, extra: Record<string, unknown>) =>
  Object.assign(new Error(`${message} (injected)`), { name, $metadata: {}, ...extra });

/** Makes `rate` of the client's attempts fail, half throttled and half with the answer lost. */
export function injectDynamoDbFaults(client: DynamoDBClient, rate: number, seed = 1): FaultInjection {
  const random = seededRandom(seed);
  const counts: FaultCounts = { calls: 0, throttled: 0, answersLost: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counts.calls += 1;
      if (random() >= rate) return next(args);
      if (random() < 0.5) {
        counts.throttled += 1;
        throw fault('ThrottlingException', 'Rate of requests exceeds the allowed throughput', {
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      await next(args);
      counts.answersLost += 1;
      throw fault('TimeoutError', 'Connection timed out after the request was sent', { code: 'ETIMEDOUT' });
    },
    { step: 'finalizeRequest', priority: 'low', name: MIDDLEWARE },
  );
  return { counts, stop: () => client.middlewareStack.remove(MIDDLEWARE) };
}
