/**
 * The panel's whole job (nominations, the agenda, routing, blind findings submitted at the same
 * instant, conclusion with moderation, evidence packs, closing the sitting) run twice on one
 * stack: once cleanly, once with a fifth of the handlers' DynamoDB attempts failing as they fail
 * in AWS (throttled, or applied with the answer lost). Callers do what real ones do: the API
 * client resends on a 5xx, the workflows retry their steps. Both runs must end in the same state.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultInjection } from '../../local/fault-injection.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { assignedCase, findingFor, reviewersOf, reviewerToken } from '../support/review.ts';

const CASES = 5;
/** The verdicts of the two reviewers of each case: the last pair disagrees and goes to the chair. */
const VERDICTS = [
  ['consistent', 'consistent'],
  ['appropriate_with_observations', 'appropriate_with_observations'],
  ['inappropriate', 'inappropriate'],
  ['consistent', 'consistent'],
  ['consistent', 'inappropriate'],
] as const;

let stack: LocalStack;
let decisions: string[];
const table = () => stack.runtime.physicalName('TablesMain');

/** The API as a client that resends after a 5xx (the answer may have been lost), a few times. */
async function call(
  method: string,
  route: string,
  options: Parameters<LocalStack['api']>[2] = {},
): ReturnType<LocalStack['api']> {
  let response = await stack.api(method, route, options);
  for (let attempt = 1; response.status >= 500 && attempt < 8; attempt += 1) {
    response = await stack.api(method, route, options);
  }
  return response;
}

async function waitFor(machine: string, name: string) {
  const execution = await stack.waitForExecution(machine, name);
  expect(execution.status, `${machine} ${name}`).toBe('SUCCEEDED');
  return execution;
}

/** The case partition, reduced to what identifies the end state whatever the ids and times. */
async function endState(caseId: string) {
  const { Items = [] } = await stack.documents.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CASE#${caseId}` },
    }),
  );
  const kinds: Record<string, number> = {};
  const history: string[] = [];
  let reviewCase: Record<string, unknown> = {};
  for (const item of Items) {
    const kind = String(item.sk).split('#')[0] as string;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (kind === 'HISTORY') history.push(String(item.action));
    if (kind === 'CASE') reviewCase = item;
  }
  const packs = Items.filter((item) => String(item.sk).startsWith('PACK#')).map((item) => item.status);
  return {
    status: reviewCase.status,
    verdict: reviewCase.verdict,
    concludedBy: reviewCase.concludedBy,
    nominators: [...((reviewCase.nominators as Set<string> | undefined) ?? [])].length,
    reviewers: [...((reviewCase.assignedReviewers as Set<string> | undefined) ?? [])].length,
    kinds,
    history: history.sort(),
    packs,
  };
}

/** One sitting's job, from nomination to closure; the end state of each case, in order. */
async function runSitting(sittingId: string, chosen: readonly string[]) {
  const caseIds: string[] = [];
  for (const [index, decisionId] of chosen.entries()) {
    const nominated = await call('POST', '/nominations', {
      as: 'isva',
      body: {
        decisionId,
        reasonCodes: ['victim_dissatisfied'],
        victimConsent: 'consents',
        vrrStatus: 'requested',
      },
    });
    expect(nominated.status, JSON.stringify(nominated.body)).toBeLessThan(300);
    if (index % 2 === 0) {
      const second = await call('POST', '/nominations', {
        as: 'cps',
        body: {
          decisionId,
          reasonCodes: ['lines_of_enquiry_missed'],
          victimConsent: 'consents',
          vrrStatus: 'not_requested',
        },
      });
      expect(second.status, JSON.stringify(second.body)).toBeLessThan(300);
    }
    caseIds.push(String(nominated.body.caseId));
  }
  const agenda = await call('POST', `/sittings/${sittingId}/agenda`, { as: 'chair', body: { caseIds } });
  expect(agenda.status, JSON.stringify(agenda.body)).toBeLessThan(300);
  const routing = await call('POST', `/sittings/${sittingId}/routing`, { as: 'chair' });
  expect(routing.status, JSON.stringify(routing.body)).toBeLessThan(300);
  await waitFor('RouteCases', String(routing.body.execution));

  await Promise.all(
    caseIds.map(async (caseId, index) => {
      const reviewers = await reviewersOf(stack, caseId);
      expect(reviewers).toHaveLength(2);
      const views = await Promise.all(
        reviewers.map(async (reviewerId) => {
          const token = await reviewerToken(stack, reviewerId);
          return { token, view: await assignedCase(stack, token, caseId, call) };
        }),
      );
      // Both reviewers submit at the same instant.
      const submitted = await Promise.all(
        views.map(({ token, view }, reviewer) =>
          call('POST', `/assignments/${view.assignment.assignmentId}/findings`, {
            token,
            body: findingFor(view, VERDICTS[index]?.[reviewer] ?? 'consistent'),
          }),
        ),
      );
      for (const response of submitted) {
        expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
        await waitFor('ConcludeCase', String(response.body.findingId));
      }
    }),
  );
  const moderated = caseIds.at(-1) as string;
  const moderation = await call('POST', `/cases/${moderated}/moderation`, {
    as: 'chair',
    body: {
      verdict: 'appropriate_with_observations',
      reason: 'The file shows both views; the chair decides',
      recommendations: [],
    },
  });
  expect(moderation.status, JSON.stringify(moderation.body)).toBeLessThan(300);
  await expect
    .poll(async () => (await endState(moderated)).status, { timeout: 30_000, interval: 200 })
    .toBe('CONCLUDED');
  await expect
    .poll(async () => (await endState(moderated)).packs, { timeout: 30_000, interval: 200 })
    .toEqual(['complete']);

  const closure = await call('POST', `/sittings/${sittingId}/closure`, {
    as: 'chair',
    body: { earlyReason: 'the panel met on an extra date' },
  });
  expect([200, 201, 409], JSON.stringify(closure.body)).toContain(closure.status);
  const sittings = await call('GET', '/sittings', { as: 'chair' });
  const sitting = (sittings.body.items as { sittingId: string; status: string }[]).find(
    (candidate) => candidate.sittingId === sittingId,
  );
  expect(sitting?.status).toBe('CLOSED');
  return Promise.all(caseIds.map((caseId) => endState(caseId)));
}

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
  await stack.importDecisions(syntheticForceExport({ count: 120, seed: 4242 }), 'admin');
  decisions = (await stack.eligibleDecisions()).map((decision) => decision.decisionId);
  expect(decisions.length).toBeGreaterThanOrEqual(2 * CASES);
});

afterAll(async () => {
  await stack?.close();
});

describe('transient DynamoDB faults in the handlers', () => {
  it('leave the same end state as a run without them', async () => {
    const clean = await runSitting('sit_2027q1', decisions.slice(0, CASES));

    const [{ injectDynamoDbFaults }, { dynamodb }] = await Promise.all([
      import('../../local/fault-injection.ts'),
      import('../../shared/aws-clients.ts'),
    ]);
    let faults: FaultInjection | undefined;
    let faulted: Awaited<ReturnType<typeof runSitting>>;
    try {
      faults = injectDynamoDbFaults(dynamodb, 0.2, 2027);
      faulted = await runSitting('sit_2027q2', decisions.slice(CASES, 2 * CASES));
    } finally {
      faults?.stop();
    }
    const { counts } = faults;
    expect(counts.throttled).toBeGreaterThan(10);
    expect(counts.answersLost).toBeGreaterThan(10);
    expect((counts.throttled + counts.answersLost) / counts.calls).toBeGreaterThan(0.15);

    expect(faulted).toEqual(clean);
    expect(clean.map((state) => state.status)).toEqual(Array(CASES).fill('CONCLUDED'));
    expect(clean.at(-1)?.concludedBy).toBe('moderation');
  }, 300_000);
});
