/**
 * Routing one case and closing one sitting, each asked for many times at once, end with exactly one
 * of each record, every time. Every round has a sitting of its own, prepared up front on one stack;
 * the end states are read from the table.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PANEL, DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { caseKeys } from '../../shared/cases/case-store.ts';
import type { Sitting } from '../../shared/panels/panel.ts';
import { panelKeys } from '../../shared/panels/panel-store.ts';
import {
  assignmentKey,
  assignmentsOfReviewer,
  loadPartition,
  routingKey,
} from '../../shared/routing/assignment-store.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

const ROUNDS = 20;
const AT_ONCE = 50;
const CARRY_SITTING = 'sit_carry_2099';

let stack: LocalStack;
const table = () => stack.runtime.physicalName('TablesMain');

const routingRound = (round: number) => `sit_route_${String(round).padStart(2, '0')}`;
// Closed latest first, so every carry-over goes to the one sitting still planned after them.
const closingRound = (round: number) => `sit_close_${String(round).padStart(2, '0')}`;
const routingCase = new Map<string, string>();
const closingCases = new Map<string, { routed: string[]; unrouted: string }>();

const sittingOn = (sittingId: string, date: string, maxCases = 12): Sitting => ({
  sittingId,
  panelId: DEMO_PANEL.panelId,
  date,
  findingsDeadline: date,
  status: 'PLANNED',
  agenda: [],
  maxCases,
  reviewersPerCase: 2,
});

async function partition(pk: string, skPrefix?: string) {
  const { Items = [] } = await stack.documents.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk, ...(skPrefix ? { ':prefix': skPrefix } : {}) },
      ConsistentRead: true,
    }),
  );
  return Items;
}

async function item(key: { pk: string; sk: string }) {
  return (await stack.documents.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true })))
    .Item;
}

/** Every assignment of the case, whoever holds it. */
async function assignmentsOfCase(caseId: string) {
  const all = await Promise.all(
    DEMO_REVIEWERS.map(async ({ reviewerId }) => {
      const { Items = [] } = await stack.documents.send(
        new QueryCommand({
          TableName: table(),
          IndexName: 'byKind',
          KeyConditionExpression: 'gsi1pk = :owner',
          ExpressionAttributeValues: { ':owner': assignmentsOfReviewer(reviewerId) },
        }),
      );
      return Items;
    }),
  );
  return all.flat().filter((assignment) => assignment.caseId === caseId);
}

const sorted = (values: Iterable<unknown>) => [...values].map(String).sort();

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
  const { saveSitting } = await import('../../shared/panels/panel-store.ts');
  await saveSitting(sittingOn(CARRY_SITTING, '2099-01-20', 3 * ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    const day = String(round + 1).padStart(2, '0');
    await saveSitting(sittingOn(routingRound(round), `2030-01-${day}`));
    await saveSitting(sittingOn(closingRound(round), `2031-01-${day}`));
  }
  await stack.importDecisions(syntheticForceExport({ count: 240, seed: 4242 }), 'admin');
  const decisions = await stack.eligibleDecisions();
  const needed = ROUNDS * 4;
  if (decisions.length < needed) throw new Error(`${decisions.length} eligible decisions, ${needed} needed`);
  const caseIds: string[] = [];
  for (let start = 0; start < needed; start += 10) {
    const batch = decisions.slice(start, Math.min(start + 10, needed));
    const nominated = await Promise.all(batch.map((decision) => stack.nominate(decision.decisionId)));
    caseIds.push(...nominated.map((answer) => String(answer.body.caseId)));
  }
  const onAgenda = async (sittingId: string, cases: string[]) => {
    const change = await stack.api('POST', `/sittings/${sittingId}/agenda`, {
      as: 'chair',
      body: { caseIds: cases },
    });
    expect(change.body.added, JSON.stringify(change.body)).toEqual(cases);
  };
  await Promise.all(
    Array.from({ length: ROUNDS }, async (_, round) => {
      const [routeMe, first, second, unrouted] = caseIds.slice(round * 4, round * 4 + 4).map(String);
      routingCase.set(routingRound(round), String(routeMe));
      await onAgenda(routingRound(round), [String(routeMe)]);
      closingCases.set(closingRound(round), {
        routed: [String(first), String(second)],
        unrouted: String(unrouted),
      });
      await onAgenda(closingRound(round), [String(first), String(second)]);
      expect((await stack.routeSitting(closingRound(round))).status).toBe('SUCCEEDED');
      await onAgenda(closingRound(round), [String(unrouted)]);
    }),
  );
}, 120_000);
afterAll(async () => stack?.close());

describe('routing one case many times at once', () => {
  it(`assigns it exactly once to its two reviewers, in each of ${ROUNDS} rounds`, async () => {
    const { routeOneCase } = await import('../../shared/routing/routing-workflow.ts');
    for (let round = 0; round < ROUNDS; round++) {
      const sittingId = routingRound(round);
      const caseId = String(routingCase.get(sittingId));
      // Even rounds: different routings racing; odd rounds: one routing step retried over itself.
      const executionOf = (attempt: number) =>
        `arn:aws:states:local:000000000000:execution:RouteCases:r${round}-${round % 2 === 0 ? attempt : 0}`;

      const outcomes = await Promise.all(
        Array.from({ length: AT_ONCE }, (_, attempt) =>
          routeOneCase({
            sittingId,
            caseId,
            requestedBy: { subject: 'demo-chair' },
            execution: { id: executionOf(attempt) },
          }),
        ),
      );

      const routed = outcomes.filter((outcome) => outcome.status === 'routed');
      if (round % 2 === 0) expect(routed).toHaveLength(1);
      expect(routed.length + outcomes.filter((o) => o.status === 'skipped').length).toBe(AT_ONCE);
      const reviewCase = await item(caseKeys.item(caseId));
      const reviewers = sorted((reviewCase?.assignedReviewers as Set<string>) ?? []);
      expect(reviewCase).toMatchObject({ status: 'ASSIGNED', sittingId, reviewersVersion: 1 });
      expect(reviewers).toHaveLength(2);
      for (const outcome of routed)
        expect(sorted('reviewers' in outcome ? outcome.reviewers : [])).toEqual(reviewers);

      const assignments = await assignmentsOfCase(caseId);
      expect(sorted(assignments.map((a) => a.reviewerId))).toEqual(reviewers);
      expect(assignments.every((a) => a.status === 'assigned' && a.sittingId === sittingId)).toBe(true);

      const loads = await partition(loadPartition(sittingId));
      expect(
        sorted(loads.filter((load) => (load.cases as Set<string>).has(caseId)).map((l) => l.sk)),
      ).toEqual(reviewers);
      expect(loads.reduce((sum, load) => sum + (load.cases as Set<string>).size, 0)).toBe(2);

      const history = await partition(caseKeys.item(caseId).pk, 'HISTORY#');
      expect(history.map((event) => event.action)).toEqual(['assigned', 'assigned']);
      expect(sorted(history.map((event) => event.reviewerId))).toEqual(reviewers);

      const routing = await item(routingKey(caseId));
      expect(
        sorted(
          ((routing?.outcome ?? { picks: [] }) as { picks: { reviewerId: string }[] }).picks.map(
            (p) => p.reviewerId,
          ),
        ),
      ).toEqual(reviewers);
    }
  }, 90_000);
});

describe('closing one sitting many times at once', () => {
  it(`closes it exactly once, ending each open assignment and carrying each case once, in each of ${ROUNDS} rounds`, async () => {
    const { getClosure } = await import('../../shared/panels/panel-store.ts');
    for (let round = ROUNDS - 1; round >= 0; round--) {
      const sittingId = closingRound(round);
      const { routed, unrouted } = closingCases.get(sittingId) ?? { routed: [], unrouted: '' };
      const cases = [...routed, unrouted];
      const open = (await Promise.all(routed.map(assignmentsOfCase))).flat();
      expect(open.map((a) => a.status)).toEqual(['assigned', 'assigned', 'assigned', 'assigned']);
      // Odd rounds: two chairs' clicks at once; even rounds: fifty.
      const attempts = round % 2 === 0 ? AT_ONCE : 2;

      const answers = await Promise.all(
        Array.from({ length: attempts }, () =>
          stack.api('POST', `/sittings/${sittingId}/closure`, {
            as: 'chair',
            body: { earlyReason: 'the panel met on an extra date' },
          }),
        ),
      );

      expect(sorted(answers.map((answer) => answer.status))).toEqual(
        sorted(['200', ...Array.from({ length: attempts - 1 }, () => '409')]),
      );
      const closed = answers.find((answer) => answer.status === 200)?.body;
      expect(sorted(((closed?.carriedOver ?? []) as { caseId: string }[]).map((c) => c.caseId))).toEqual(
        sorted(cases),
      );

      expect(await item(panelKeys.sitting(sittingId))).toMatchObject({ status: 'CLOSED' });
      const closure = await getClosure(sittingId);
      expect(closure).toMatchObject({ sittingId, packVersion: 1, finishedAt: expect.any(String) });

      for (const assignment of open) {
        expect(await item(assignmentKey(String(assignment.assignmentId)))).toMatchObject({
          status: 'reassigned',
          endedAt: closure?.at,
        });
      }
      for (const caseId of cases) {
        const history = await partition(caseKeys.item(caseId).pk, 'HISTORY#');
        const ended = history.filter((event) => event.why === 'the sitting closed');
        const hadAssignments = open.filter((a) => a.caseId === caseId);
        expect(sorted(ended.map((event) => event.reviewerId))).toEqual(
          sorted(hadAssignments.map((a) => a.reviewerId)),
        );
        expect(history.filter((event) => event.action === 'carried-over')).toHaveLength(1);
        const reviewCase = await item(caseKeys.item(caseId));
        expect(reviewCase).toMatchObject({
          status: 'OPEN',
          sittingId: CARRY_SITTING,
          carriedOverFrom: [sittingId],
        });
      }
      const packs = await partition(panelKeys.sitting(sittingId).pk, 'PACK#');
      expect(packs.map((pack) => [pack.version, pack.status])).toEqual([[1, 'complete']]);
    }
    const carryAgenda = (await item(panelKeys.sitting(CARRY_SITTING)))?.agenda as string[];
    const everyCarried = [...closingCases.values()].flatMap(({ routed, unrouted }) => [...routed, unrouted]);
    expect(sorted(carryAgenda)).toEqual(sorted(everyCarried));
  }, 120_000);
});
