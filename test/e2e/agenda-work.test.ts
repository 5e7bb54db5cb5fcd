/**
 * The chair's agenda work against the whole local system: the cases waiting for an agenda
 * (filtered and paged), a case taken off an agenda with its assignments withdrawn, and a planned
 * sitting cancelled; and what is refused once a case has a finding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PANEL, DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { assignedCase, findingFor, reviewersOf, reviewerToken } from '../support/review.ts';

let stack: LocalStack;
let caseIds: string[];
let decisions: Awaited<ReturnType<LocalStack['eligibleDecisions']>>;

interface Waiting {
  caseId: string;
  source: string;
  victimConsent?: string;
  nominations: number;
  offenceGroup?: string;
  decidingBody?: string;
  waitingDays: number;
}

const waiting = async (query = '') => {
  const response = await stack.api('GET', `/cases${query}`, { as: 'chair' });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { items: Waiting[]; total: number; next?: string };
};
const waitingIds = async () => (await waiting('?limit=200')).items.map((item) => item.caseId);

const plan = (sittingId: string, date: string, findingsDeadline: string) =>
  stack.api('PUT', `/sittings/${sittingId}`, {
    as: 'chair',
    body: { panelId: DEMO_PANEL.panelId, date, findingsDeadline },
  });
const putOnAgenda = (sittingId: string, ids: string[]) =>
  stack.api('POST', `/sittings/${sittingId}/agenda`, { as: 'chair', body: { caseIds: ids } });
const takeOff = (sittingId: string, caseId: string, reason = 'the victim asked for time to decide') =>
  stack.api('POST', `/sittings/${sittingId}/agenda/removals`, { as: 'chair', body: { caseId, reason } });

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
  // Every reviewer signs in, so each is told of what happens to their assignments.
  for (const { reviewerId } of DEMO_REVIEWERS) await reviewerToken(stack, reviewerId);
  await stack.importDecisions(syntheticForceExport({ count: 60, seed: 1414 }), 'admin');
  decisions = await stack.eligibleDecisions();
  caseIds = [];
  for (const decision of decisions.slice(0, 5)) {
    const nominated = await stack.nominate(decision.decisionId);
    expect(nominated.status, JSON.stringify(nominated.body)).toBe(201);
    caseIds.push(String(nominated.body.caseId));
  }
});
afterAll(async () => stack?.close());

describe('cases waiting for an agenda', () => {
  it('lists every open case on no sitting, oldest first, with what a chair weighs', async () => {
    const list = await waiting();
    expect(list.total).toBe(5);
    expect(list.items.map((item) => item.caseId)).toEqual(caseIds);
    for (const item of list.items) {
      expect(item).toMatchObject({ source: 'nomination', victimConsent: 'consents', nominations: 1 });
      expect(item.offenceGroup).toBeTruthy();
      expect(item.decidingBody).toMatch(/^(police|cps)$/);
      expect(item.waitingDays).toBe(0);
    }
    expect((await waiting('?source=dip-sample')).items).toEqual([]);
    const group = String(list.items[0]?.offenceGroup);
    const byGroup = await waiting(`?offenceGroup=${group}`);
    expect(byGroup.items.every((item) => item.offenceGroup === group)).toBe(true);
    expect(byGroup.total).toBe(list.items.filter((item) => item.offenceGroup === group).length);
  });

  it('pages with the cursor it gives, and refuses one it did not give', async () => {
    const first = await waiting('?limit=2');
    expect(first.items).toHaveLength(2);
    expect(first.total).toBe(5);
    const second = await waiting(`?limit=2&cursor=${first.next}`);
    const third = await waiting(`?limit=2&cursor=${second.next}`);
    expect(third.next).toBeUndefined();
    expect([...first.items, ...second.items, ...third.items].map((item) => item.caseId)).toEqual(caseIds);
    const forged = await stack.api('GET', '/cases?cursor=bm90LWEtY3Vyc29y', { as: 'chair' });
    expect(forged.status).toBe(400);
    expect(forged.body.issues).toEqual([expect.objectContaining({ field: 'query.cursor' })]);
    expect((await stack.api('GET', '/cases?source=isva', { as: 'chair' })).status).toBe(400);
  });

  it('is for chairs and admins only', async () => {
    expect((await stack.api('GET', '/cases', { as: 'isva' })).status).toBe(403);
    expect((await stack.api('GET', '/cases', { as: 'panel' })).status).toBe(403);
    expect((await stack.api('GET', '/cases', { as: 'admin' })).status).toBe(200);
  });
});

describe('taking a case off an agenda', () => {
  it('withdraws its assignments, frees their places, keeps the history, and puts it back on the waiting list', async () => {
    const sittingId = 'sit_2096q3';
    expect((await plan(sittingId, '2096-09-01', '2096-08-25')).status).toBe(200);
    const [routed, unrouted] = caseIds as [string, string];
    expect((await putOnAgenda(sittingId, [routed, unrouted])).status).toBe(200);
    expect(await waitingIds()).not.toContain(routed);
    expect((await stack.routeSitting(sittingId)).status).toBe('SUCCEEDED');
    const reviewers = await reviewersOf(stack, routed);
    expect(reviewers).toHaveLength(2);

    const short = await takeOff(sittingId, routed, 'because');
    expect(short.status).toBe(400);
    expect(short.body.issues).toEqual([expect.objectContaining({ field: 'body.reason' })]);

    const removed = await takeOff(sittingId, routed);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({ caseId: routed, status: 'OPEN', withdrawnFrom: reviewers });
    expect(await reviewersOf(stack, routed)).toEqual([]);
    const sitting = await stack.api('GET', `/sittings/${sittingId}`, { as: 'chair' });
    expect(sitting.body.agenda).toEqual([unrouted]);
    expect(await waitingIds()).toContain(routed);

    const { caseHistory, getAssignment, assignmentIdOf, loadsOf } = await import(
      '../../shared/routing/assignment-store.ts'
    );
    for (const reviewerId of reviewers) {
      const assignment = await getAssignment(assignmentIdOf(routed, sittingId, reviewerId));
      expect(assignment?.status).toBe('withdrawn');
      expect((await loadsOf(sittingId)).get(reviewerId)?.has(routed) ?? false).toBe(false);
    }
    const history = await caseHistory(routed);
    expect(
      history
        .filter((event) => event.action === 'withdrawn')
        .map((e) => e.reviewerId)
        .sort(),
    ).toEqual(reviewers);
    expect(history.find((event) => event.action === 'taken-off-agenda')).toMatchObject({
      by: 'demo-chair',
      why: 'the victim asked for time to decide',
      sittingId,
    });
    const token = await reviewerToken(stack, String(reviewers[0]));
    const told = await stack.api('GET', '/notifications', { token });
    expect(told.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'assignment-withdrawn', caseId: routed })]),
    );
    // So is its nominator.
    const nominator = await stack.api('GET', '/notifications', { as: 'isva' });
    expect(nominator.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'nomination-off-agenda', caseId: routed, sittingId }),
      ]),
    );

    // Off the agenda, it can go on another; taken off twice, it is not on this one.
    expect((await takeOff(sittingId, routed)).status).toBe(409);
  });

  it('refuses once a reviewer has made a finding, and so does cancelling the sitting', async () => {
    const sittingId = 'sit_2096q4';
    expect((await plan(sittingId, '2096-12-01', '2096-11-24')).status).toBe(200);
    const reviewed = caseIds[2] as string;
    expect((await putOnAgenda(sittingId, [reviewed])).status).toBe(200);
    await stack.routeSitting(sittingId);
    const [reviewerId] = await reviewersOf(stack, reviewed);
    const token = await reviewerToken(stack, String(reviewerId));
    const view = await assignedCase(stack, token, reviewed);
    const finding = await stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings`, {
      token,
      body: findingFor(view, 'consistent'),
    });
    expect(finding.status, JSON.stringify(finding.body)).toBeLessThan(300);
    const refused = await takeOff(sittingId, reviewed);
    expect(refused.status).toBe(409);
    expect(String(refused.body.message)).toContain('has findings');
    const cancel = await stack.api('POST', `/sittings/${sittingId}/cancellation`, {
      as: 'chair',
      body: { reason: 'the panel cannot meet that quarter' },
    });
    expect(cancel.status).toBe(409);
    expect(String(cancel.body.message)).toContain(reviewed);
  });
});

describe('cancelling a sitting', () => {
  it('sends its cases back to wait, records why, and never changes again', async () => {
    const sittingId = 'sit_2097q1';
    expect((await plan(sittingId, '2097-03-01', '2097-02-22')).status).toBe(200);
    const cases = [caseIds[3], caseIds[4]] as string[];
    expect((await putOnAgenda(sittingId, cases)).status).toBe(200);
    await stack.routeSitting(sittingId);
    const cancelled = await stack.api('POST', `/sittings/${sittingId}/cancellation`, {
      as: 'chair',
      body: { reason: 'the panel merged this quarter with the next' },
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'CANCELLED',
      agenda: [],
      cancelled: { by: 'demo-chair', reason: 'the panel merged this quarter with the next' },
    });
    expect(await waitingIds()).toEqual(expect.arrayContaining(cases));
    for (const caseId of cases) expect(await reviewersOf(stack, caseId)).toEqual([]);

    const read = await stack.api('GET', `/sittings/${sittingId}`, { as: 'chair' });
    expect(read.body.status).toBe('CANCELLED');
    expect((await putOnAgenda(sittingId, cases)).status).toBe(409);
    expect((await plan(sittingId, '2097-03-08', '2097-03-01')).status).toBe(409);
    const closure = await stack.api('POST', `/sittings/${sittingId}/closure`, {
      as: 'chair',
      body: { earlyReason: 'closing a cancelled sitting' },
    });
    expect(closure.status).toBe(409);
    const again = await stack.api('POST', `/sittings/${sittingId}/cancellation`, {
      as: 'chair',
      body: { reason: 'the panel merged this quarter with the next' },
    });
    expect(again.status).toBe(409);
  });
});

describe('the CLI', () => {
  it('lists the waiting cases, puts one on an agenda, takes it off, and cancels the sitting', async () => {
    const { runCli } = await import('../cli/run-cli.ts');
    const env = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
    const listed = await runCli(['agenda', 'waiting', '--json'], env);
    expect(listed.stderr).toBe('');
    const ids = (JSON.parse(listed.stdout) as Waiting[]).map((item) => item.caseId);
    expect(ids).toEqual(await waitingIds());
    const table = await runCli(['agenda', 'waiting'], env);
    expect(table.stdout).toContain('1 nomination(s)');

    const sittingId = 'sit_2097q2';
    expect((await plan(sittingId, '2097-06-01', '2097-05-25')).status).toBe(200);
    const caseId = String(ids[0]);
    const added = await runCli(['agenda', 'add', sittingId, caseId], env);
    expect(added.stdout).toContain(`Added 1 to ${sittingId}`);
    const removed = await runCli(
      ['agenda', 'remove', sittingId, caseId, '--reason', 'listed by mistake'],
      env,
    );
    expect(removed.stderr).toBe('');
    expect(removed.stdout).toContain(`Took ${caseId} off ${sittingId}`);
    const again = await runCli(['agenda', 'remove', sittingId, caseId, '--reason', 'listed by mistake'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not on the agenda');

    await runCli(['agenda', 'add', sittingId, caseId], env);
    const cancelled = await runCli(
      ['sittings', 'cancel', sittingId, '--reason', 'no quorum this quarter'],
      env,
    );
    expect(cancelled.stdout).toContain(`Cancelled ${sittingId}; 1 cases wait for another agenda.`);
    expect(await waitingIds()).toContain(caseId);
  });
});

describe('a reviewer the chair names', () => {
  const name = (caseId: string, reviewerId: string, reason = 'has reviewed this unit before') =>
    stack.api('POST', `/cases/${caseId}/assignments`, { as: 'chair', body: { reviewerId, reason } });

  it('holds the rules for the named reviewer, names each that refuses, and picks the rest by the rules', async () => {
    const sittingId = 'sit_2097q3';
    expect((await plan(sittingId, '2097-09-01', '2097-08-25')).status).toBe(200);
    const decision = decisions[10];
    const caseId = String((await stack.nominate(String(decision?.decisionId))).body.caseId);
    expect((await name(caseId, 'rev_harper')).status).toBe(409);
    expect((await putOnAgenda(sittingId, [caseId])).status).toBe(200);

    const { reviewerId: _id, ...gale } = DEMO_REVIEWERS.find((r) => r.reviewerId === 'rev_gale') ?? {};
    const conflicted = await stack.api('PUT', '/reviewers/rev_gale', {
      as: 'admin',
      body: { ...gale, standingConflicts: [String(decision?.decisionId)] },
    });
    expect(conflicted.status, JSON.stringify(conflicted.body)).toBe(200);
    const refused = await name(caseId, 'rev_gale');
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([
      {
        field: 'body.reviewerId',
        reason: 'declared-conflict: declared a standing conflict with this decision',
      },
    ]);
    const stranger = await name(caseId, 'rev_nobody');
    expect(stranger.body.issues).toEqual([
      { field: 'body.reviewerId', reason: 'not-a-member: not a member of the panel of this sitting' },
    ]);

    const named = await name(caseId, 'rev_harper', 'has reviewed the earlier decision on this crime');
    expect(named.status, JSON.stringify(named.body)).toBe(201);
    const picks = named.body.picks as { reviewerId: string; reason: string }[];
    expect(picks).toHaveLength(2);
    expect(picks[0]).toEqual({
      reviewerId: 'rev_harper',
      reason: 'named by the chair: has reviewed the earlier decision on this crime',
    });
    expect(await reviewersOf(stack, caseId)).toEqual(picks.map((pick) => pick.reviewerId).sort());
    const { caseHistory } = await import('../../shared/routing/assignment-store.ts');
    expect(await caseHistory(caseId)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'assigned', reviewerId: 'rev_harper', by: 'demo-chair' }),
      ]),
    );
    const { runCli } = await import('../cli/run-cli.ts');
    const env = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
    const viaCli = await runCli(
      ['agenda', 'assign', caseId, '--reviewer', 'rev_gale', '--reason', 'knows the unit well'],
      env,
    );
    expect(viaCli.code).toBe(1);
    expect(viaCli.stderr).toContain('case-complete');
    const outsider = DEMO_REVIEWERS.find(
      (reviewer) => !picks.some((pick) => pick.reviewerId === reviewer.reviewerId),
    );
    const complete = await name(caseId, String(outsider?.reviewerId));
    expect(complete.status).toBe(400);
    expect(String(complete.body.message)).toContain('case-complete');
  });

  it('refuses a pick that would leave the case without a reviewer independent of the deciding body', async () => {
    const sittingId = 'sit_2097q4';
    const planned = await stack.api('PUT', `/sittings/${sittingId}`, {
      as: 'chair',
      body: {
        panelId: DEMO_PANEL.panelId,
        date: '2097-12-01',
        findingsDeadline: '2097-11-24',
        reviewersPerCase: 1,
      },
    });
    expect(planned.status).toBe(200);
    const police = decisions.find(
      (d, index) => index > 10 && d.decidingBody === 'police' && d.unit !== 'FCID',
    );
    const caseId = String((await stack.nominate(String(police?.decisionId))).body.caseId);
    expect((await putOnAgenda(sittingId, [caseId])).status).toBe(200);
    const refused = await name(caseId, 'rev_eli');
    expect(refused.status).toBe(409);
    expect(String(refused.body.message)).toContain('none is independent of the police');
    expect(await reviewersOf(stack, caseId)).toEqual([]);
  });
});
