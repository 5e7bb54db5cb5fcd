/**
 * Nominated cases put on a sitting's agenda by its chair, routed to reviewers by the synthesized
 * routing workflow under the rules, then one declined and routed again.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { assignmentsOfReviewer, loadPartition } from '../../shared/routing/assignment-store.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
const caseIds: string[] = [];
const SITTING = 'sit_2027q1';

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
  await stack.importDecisions(syntheticForceExport({ count: 120, seed: 808 }), 'admin');
  for (const decision of (await stack.eligibleDecisions()).slice(0, 14)) {
    caseIds.push(String((await stack.nominate(decision.decisionId)).body.caseId));
  }
});
afterAll(async () => stack?.close());

async function routed() {
  const table = stack.runtime.physicalName('TablesMain');
  const items = async (pk: string) =>
    (
      await stack.documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      )
    ).Items ?? [];
  return Promise.all(
    caseIds.slice(0, 12).map(async (caseId) => {
      const rows = await items(`CASE#${caseId}`);
      const reviewCase = rows.find((row) => row.sk === 'CASE');
      const decision = (await stack.decisions()).find((d) => d.decisionId === reviewCase?.decisionId);
      return {
        caseId,
        reviewCase,
        decision,
        history: rows.filter((row) => String(row.sk).startsWith('HISTORY#')),
      };
    }),
  );
}

describe('the agenda', () => {
  it('takes cases up to the sitting’s capacity and says why the rest wait', async () => {
    const change = await stack.api('POST', `/sittings/${SITTING}/agenda`, { as: 'chair', body: { caseIds } });
    expect(change.status).toBe(200);
    expect(change.body.added).toEqual(caseIds.slice(0, 12));
    expect(change.body.deferred).toEqual(
      caseIds
        .slice(12)
        .map((caseId) => ({ caseId, reason: 'the sitting is full (12 cases); it waits for the next' })),
    );
  });

  it('lets the chair plan the next sitting of their own panel only', async () => {
    const sitting = {
      panelId: 'pan_rsp',
      date: '2097-07-21',
      findingsDeadline: '2097-07-14',
      maxCases: 8,
    };
    const planned = await stack.api('PUT', '/sittings/sit_2027q3', { as: 'chair', body: sitting });
    expect(planned.status).toBe(200);
    expect(planned.body).toMatchObject({ ...sitting, agenda: [], reviewersPerCase: 2 });
    const otherChair = await stack.runtime.tokenFor('chair', { sub: 'demo-someone-else' });
    expect(
      (await stack.api('PUT', '/sittings/sit_2027q4', { token: otherChair, body: sitting })).status,
    ).toBe(404);
  });

  it('is only the chair’s to change', async () => {
    expect(
      (await stack.api('POST', `/sittings/${SITTING}/agenda`, { as: 'panel', body: { caseIds } })).status,
    ).toBe(403);
    const otherChair = await stack.runtime.tokenFor('chair', { sub: 'demo-someone-else' });
    expect(
      (await stack.api('POST', `/sittings/${SITTING}/agenda`, { token: otherChair, body: { caseIds } }))
        .status,
    ).toBe(404);
  });
});

describe('routing', () => {
  let cases: Awaited<ReturnType<typeof routed>>;
  beforeAll(async () => {
    const started = await stack.api('POST', `/sittings/${SITTING}/routing`, { as: 'chair' });
    expect(started.status).toBe(202);
    const result = await stack.runtime.waitForExecution('RouteCases', String(started.body.execution));
    expect(result.status).toBe('SUCCEEDED');
    cases = await routed();
  });

  it('gives every case two reviewers under the rules, with the reason for each pick', () => {
    const byId = new Map(DEMO_REVIEWERS.map((reviewer) => [reviewer.reviewerId, reviewer]));
    // Not vacuous: with every case unassignable, the checks below would hold of nothing.
    const assignable = cases.filter((c) => !c.reviewCase?.unassignable);
    expect(assignable.length).toBeGreaterThan(0);
    for (const { reviewCase, decision, history } of assignable) {
      expect(reviewCase?.status).toBe('ASSIGNED');
      const reviewers = [...((reviewCase?.assignedReviewers as Set<string> | undefined) ?? [])].map((id) =>
        byId.get(id),
      );
      expect(reviewers).toHaveLength(2);
      for (const reviewer of reviewers) {
        expect(reviewer?.unit === undefined || reviewer.unit !== decision?.unit).toBe(true);
        expect(reviewer?.active).toBe(true);
      }
      expect(reviewers.some((reviewer) => reviewer?.agency !== decision?.decidingBody)).toBe(true);
      expect(
        history.filter((event) => event.action === 'assigned').every((event) => String(event.why).length > 0),
      ).toBe(true);
    }
  });

  it('shows the chair why each case went to whom', async () => {
    const view = await stack.api('GET', `/sittings/${SITTING}/routing`, { as: 'chair' });
    expect(view.status).toBe(200);
    const [first] = view.body.cases as {
      reviewers: string[];
      routing: {
        outcome: { picks: { reviewerId: string; reason: string }[]; exclusions: { rule: string }[] };
      };
    }[];
    expect(first?.routing.outcome.picks.map((pick) => pick.reviewerId).sort()).toEqual(first?.reviewers);
    expect(first?.routing.outcome.picks.every((pick) => pick.reason.length > 0)).toBe(true);
    const rules = (view.body.cases as (typeof first)[]).flatMap(
      (c) => c?.routing.outcome.exclusions.map((e) => e.rule) ?? [],
    );
    expect(rules).toContain('same-unit');
    expect((await stack.api('GET', `/sittings/${SITTING}/routing`, { as: 'panel' })).status).toBe(403);
  });

  it('never puts a reviewer over capacity, and spreads the load', () => {
    const load = new Map<string, number>();
    for (const { reviewCase } of cases) {
      for (const id of (reviewCase?.assignedReviewers as Set<string> | undefined) ?? [])
        load.set(id, (load.get(id) ?? 0) + 1);
    }
    for (const reviewer of DEMO_REVIEWERS)
      expect(load.get(reviewer.reviewerId) ?? 0).toBeLessThanOrEqual(reviewer.capacityPerSitting);
    expect([...load.values()].reduce((a, b) => a + b, 0)).toBe(
      2 * cases.filter((c) => !c.reviewCase?.unassignable).length,
    );
  });

  it('routes nothing twice when asked again for the same agenda', async () => {
    const again = await stack.api('POST', `/sittings/${SITTING}/routing`, { as: 'chair' });
    expect(again.status).toBe(202);
    expect((await routed()).map((c) => c.history.length)).toEqual(cases.map((c) => c.history.length));
  });

  it("moves every case of a reviewer who leaves, on the chair's word", async () => {
    const leaving = 'rev_eli';
    const before = (await routed()).filter((c) =>
      (c.reviewCase?.assignedReviewers as Set<string>)?.has(leaving),
    );
    expect(before.length).toBeGreaterThan(0);
    const moved = await stack.api('POST', `/sittings/${SITTING}/reassignments`, {
      as: 'chair',
      body: { fromReviewerId: leaving, reason: 'left the panel' },
    });
    expect(moved.status).toBe(200);
    expect((moved.body.moved as unknown[]).length).toBe(before.length);
    const after = await routed();
    for (const c of after)
      expect([...((c.reviewCase?.assignedReviewers as Set<string>) ?? [])]).not.toContain(leaving);
    const history = after.find((c) => c.caseId === before[0]?.caseId)?.history ?? [];
    expect(history.some((event) => event.action === 'reassigned' && event.fromReviewerId === leaving)).toBe(
      true,
    );
  });

  it('tells reviewers and chairs by notification and event, without case content', async () => {
    const panel = await stack.api('GET', '/notifications', { as: 'panel' });
    expect((panel.body.items as { kind: string }[]).some((n) => n.kind === 'assigned')).toBe(true);
    const chair = await stack.api('GET', '/notifications', { as: 'chair' });
    expect((chair.body.items as { kind: string }[]).some((n) => n.kind === 'nomination-received')).toBe(true);
    const events = stack.runtime.publishedEvents;
    expect(
      events.some((event) => event.detailType === 'notification.assigned' && event.source === 'scrutineer'),
    ).toBe(true);
    const decision = (await stack.decisions())[0];
    expect(JSON.stringify(events)).not.toContain(String(decision?.summary).slice(0, 30));
  });

  it('routes a declined case to someone else, keeping the history', async () => {
    const mine = await stack.api('GET', '/assignments', { as: 'panel' });
    const [assignment] = mine.body.items as { assignmentId: string; caseId: string; reviewerId: string }[];
    expect(assignment).toBeDefined();
    const declined = await stack.api('POST', `/assignments/${assignment?.assignmentId}/decline`, {
      as: 'panel',
      body: { conflict: 'I worked with the officer in the case last year.' },
    });
    expect(declined.status).toBe(200);
    const after = (await routed()).find((c) => c.caseId === assignment?.caseId);
    const reviewers = [...((after?.reviewCase?.assignedReviewers as Set<string> | undefined) ?? [])];
    expect(reviewers).not.toContain(assignment?.reviewerId);
    expect(reviewers).toHaveLength(2);
    expect(after?.history.map((event) => event.action)).toEqual(
      expect.arrayContaining(['assigned', 'declined', 'reassigned']),
    );
    const otherMember = await stack.api('POST', `/assignments/${assignment?.assignmentId}/decline`, {
      as: 'panel2',
      body: { conflict: 'x' },
    });
    expect(otherMember.status).toBe(404);
  });

  it('holds capacity for exactly the cases each reviewer is still assigned, after declines and moves', async () => {
    const table = stack.runtime.physicalName('TablesMain');
    const { Items: loads = [] } = await stack.documents.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': loadPartition(SITTING) },
      }),
    );
    for (const reviewer of DEMO_REVIEWERS) {
      const { Items: assignments = [] } = await stack.documents.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'byKind',
          KeyConditionExpression: 'gsi1pk = :owner',
          ExpressionAttributeValues: { ':owner': assignmentsOfReviewer(reviewer.reviewerId) },
        }),
      );
      const held = assignments
        .filter((assignment) => assignment.sittingId === SITTING && assignment.status === 'assigned')
        .map((assignment) => String(assignment.caseId))
        .sort();
      const load = loads.find((item) => item.sk === reviewer.reviewerId);
      expect([...((load?.cases as Set<string> | undefined) ?? [])].sort()).toEqual(held);
    }
  });
});
