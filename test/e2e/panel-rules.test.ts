/**
 * The panel's rules. Reviewers: one sign-in, one reviewer. Panels: members are existing reviewers,
 * each once. A sitting: its dates, its lifecycle (PLANNED, IN_SESSION from the day it meets, CLOSED by
 * the closure alone and never reopened), closing early only with a reason, and a moved findings
 * deadline reaching the open assignments and their reviewers.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PANEL, DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { daysAgo, type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { assignedCase, findingFor, reviewersOf, reviewerToken } from '../support/review.ts';

let stack: LocalStack;
const panelId = DEMO_PANEL.panelId;

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
});
afterAll(async () => stack?.close());

const plan = (sittingId: string, body: Record<string, unknown>) =>
  stack.api('PUT', `/sittings/${sittingId}`, { as: 'chair', body: { panelId, ...body } });

const fields = (response: { body: Record<string, unknown> }) =>
  ((response.body.issues ?? []) as { field: string; reason: string }[]).map((issue) => issue.field);

async function sittingStatus(sittingId: string) {
  const listed = await stack.api('GET', '/sittings', { as: 'chair' });
  return (listed.body.items as { sittingId: string; status: string }[]).find((s) => s.sittingId === sittingId)
    ?.status;
}

describe('planning a sitting', () => {
  it.each([
    [{ date: daysAgo(3), findingsDeadline: daysAgo(10) }, 'body.date'],
    [{ date: '2096-03-01', findingsDeadline: '2096-03-08' }, 'body.findingsDeadline'],
    [{ date: '2096-03-01', findingsDeadline: '2096-02-22', status: 'CLOSED' }, 'body.status'],
    [{ date: '2096-03-01', findingsDeadline: '2096-02-22', agenda: ['case_x'] }, 'body.agenda'],
  ])('refuses %j naming %s', async (body, field) => {
    const response = await plan('sit_refused', body);
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(fields(response)).toContain(field);
  });

  it('plans a sitting PLANNED with an empty agenda, whatever status is asked for', async () => {
    const response = await plan('sit_2096q1', { date: '2096-03-01', findingsDeadline: '2096-02-22' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'PLANNED', agenda: [] });
  });
});

describe('the lifecycle', () => {
  it('is IN_SESSION from the day it meets, keeps its date, and closes without a reason', async () => {
    const { saveSitting } = await import('../../shared/panels/panel-store.ts');
    await saveSitting({
      sittingId: 'sit_met',
      panelId,
      date: daysAgo(1),
      findingsDeadline: daysAgo(8),
      status: 'PLANNED',
      agenda: [],
      maxCases: 12,
      reviewersPerCase: 2,
    });
    expect(await sittingStatus('sit_met')).toBe('IN_SESSION');
    const moved = await plan('sit_met', { date: '2096-05-01', findingsDeadline: '2096-04-24' });
    expect(moved.status).toBe(409);
    expect(String(moved.body.message)).toContain('its date no longer changes');
    const closed = await stack.api('POST', '/sittings/sit_met/closure', { as: 'chair' });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ status: 'CLOSED', early: false });
  });

  it('closes before it meets only with the chair’s reason, kept on the closure record', async () => {
    await plan('sit_2096q2', { date: '2096-06-01', findingsDeadline: '2096-05-25' });
    const refused = await stack.api('POST', '/sittings/sit_2096q2/closure', { as: 'chair' });
    expect(refused.status).toBe(409);
    expect(String(refused.body.message)).toContain('earlyReason');
    expect(await sittingStatus('sit_2096q2')).toBe('PLANNED');
    const tooShort = await stack.api('POST', '/sittings/sit_2096q2/closure', {
      as: 'chair',
      body: { earlyReason: 'no' },
    });
    expect(fields(tooShort)).toEqual(['body.earlyReason']);

    const reason = 'the panel was dissolved by the board';
    const closed = await stack.api('POST', '/sittings/sit_2096q2/closure', {
      as: 'chair',
      body: { earlyReason: reason },
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ status: 'CLOSED', early: true });
    const { Item } = await stack.documents.send(
      new GetCommand({
        TableName: stack.runtime.physicalName('TablesMain'),
        Key: { pk: 'SITTING#sit_2096q2', sk: 'CLOSURE' },
      }),
    );
    expect(Item).toMatchObject({ earlyReason: reason, by: 'demo-chair' });
  });

  it('never reopens or changes a closed sitting', async () => {
    const changed = await plan('sit_2096q2', { date: '2096-06-02', findingsDeadline: '2096-05-25' });
    expect(changed.status).toBe(409);
    expect(String(changed.body.message)).toContain('a closed sitting never changes');
    expect(await sittingStatus('sit_2096q2')).toBe('CLOSED');
  });
});

describe('a moved findings deadline', () => {
  it('moves the due date of the open assignments and tells their reviewers', async () => {
    await stack.importDecisions(syntheticForceExport({ count: 60, seed: 404 }), 'admin');
    const sittingId = 'sit_2096q3';
    await plan(sittingId, { date: '2096-09-01', findingsDeadline: '2096-08-25', maxCases: 2 });
    const caseIds: string[] = [];
    for (const decision of (await stack.eligibleDecisions()).slice(0, 2)) {
      caseIds.push(String((await stack.nominate(decision.decisionId)).body.caseId));
    }
    await stack.api('POST', `/sittings/${sittingId}/agenda`, { as: 'chair', body: { caseIds } });
    // Reviewers with a sign-in are told of their assignments, and of a moved deadline.
    const tokens = new Map<string, string>();
    for (const reviewer of DEMO_REVIEWERS)
      tokens.set(reviewer.reviewerId, await reviewerToken(stack, reviewer.reviewerId));
    expect((await stack.routeSitting(sittingId)).status).toBe('SUCCEEDED');
    const [caseId] = caseIds as [string];
    const [reviewerId] = (await reviewersOf(stack, caseId)) as [string];
    const token = tokens.get(reviewerId) as string;
    expect((await assignedCase(stack, token, caseId)).assignment).toMatchObject({ dueDate: '2096-08-25' });

    const past = await plan(sittingId, { date: '2096-09-01', findingsDeadline: daysAgo(2), maxCases: 2 });
    expect(fields(past)).toEqual(['body.findingsDeadline']);
    const tooSmall = await plan(sittingId, {
      date: '2096-09-01',
      findingsDeadline: '2096-08-25',
      maxCases: 1,
    });
    expect(fields(tooSmall)).toEqual(['body.maxCases']);

    const moved = await plan(sittingId, { date: '2096-09-01', findingsDeadline: '2096-08-28', maxCases: 2 });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ findingsDeadline: '2096-08-28', agenda: caseIds });
    expect((await assignedCase(stack, token, caseId)).assignment).toMatchObject({ dueDate: '2096-08-28' });
    const notifications = await stack.api('GET', '/notifications', { token });
    expect(notifications.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'deadline-changed', caseId, sittingId, dueDate: '2096-08-28' }),
      ]),
    );
  });
});

describe('reviewers and panels', () => {
  const reviewer = {
    name: 'Sam Example',
    agency: 'independent',
    capacityPerSitting: 3,
    standingConflicts: [],
    active: true,
  };

  it('gives one sign-in to one reviewer only, and frees it when it moves', async () => {
    const first = await stack.api('PUT', '/reviewers/rev_sam', {
      as: 'admin',
      body: { ...reviewer, subject: 'demo-sam' },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await stack.api('PUT', '/reviewers/rev_sam_two', {
      as: 'admin',
      body: { ...reviewer, name: 'Sam Again', subject: 'demo-sam' },
    });
    expect(second.status).toBe(409);
    expect(String(second.body.message)).toContain("reviewer rev_sam's already");
    expect(
      (
        await stack.api('PUT', '/reviewers/rev_sam', {
          as: 'admin',
          body: { ...reviewer, subject: 'demo-sam-2' },
        })
      ).status,
    ).toBe(200);
    const freed = await stack.api('PUT', '/reviewers/rev_sam_two', {
      as: 'admin',
      body: { ...reviewer, name: 'Sam Again', subject: 'demo-sam' },
    });
    expect(freed.status, JSON.stringify(freed.body)).toBe(200);
  });

  it('names as chair only a person who has signed in with the chair role', async () => {
    const panel = (chairSubject: string) =>
      stack.api('PUT', '/panels/pan_chaired', {
        as: 'admin',
        body: { name: 'Chaired panel', chairSubject, memberReviewerIds: ['rev_sam'] },
      });
    const stranger = await panel('demo-nobody');
    expect(stranger.status).toBe(400);
    expect(stranger.body.issues).toEqual([
      {
        field: 'body.chairSubject',
        reason:
          'nobody with subject demo-nobody has signed in: ask them to sign in once, then save the panel',
      },
    ]);
    const member = await panel('demo-panel');
    expect(member.status).toBe(400);
    expect(member.body.issues).toEqual([
      { field: 'body.chairSubject', reason: 'Morgan Panellist does not hold the panel_chair role' },
    ]);

    // A new chair signs in for the first time, and can then be named.
    const newChair = await stack.runtime.tokenFor('chair', {
      sub: 'demo-new-chair',
      name: 'Nova Chair',
      'cognito:groups': ['panel_chair'],
    });
    expect((await panel('demo-new-chair')).status).toBe(400);
    expect((await stack.api('GET', '/me', { token: newChair })).status).toBe(200);
    const named = await panel('demo-new-chair');
    expect(named.status, JSON.stringify(named.body)).toBe(200);

    // Signing in again without the role is seen too.
    const demoted = await stack.runtime.tokenFor('chair', {
      sub: 'demo-new-chair',
      name: 'Nova Chair',
      'cognito:groups': ['panel_member'],
    });
    await stack.api('GET', '/me', { token: demoted });
    expect((await panel('demo-new-chair')).body.issues).toEqual([
      { field: 'body.chairSubject', reason: 'Nova Chair does not hold the panel_chair role' },
    ]);
  });

  it('refuses a panel whose members are not reviewers, or are listed twice', async () => {
    const response = await stack.api('PUT', '/panels/pan_rules', {
      as: 'admin',
      body: {
        name: 'Rules panel',
        chairSubject: 'demo-chair',
        memberReviewerIds: ['rev_sam', 'rev_nobody', 'rev_sam'],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      { field: 'body.memberReviewerIds.1', reason: 'rev_nobody is not a reviewer: add them first' },
      { field: 'body.memberReviewerIds.2', reason: 'rev_sam is listed twice' },
    ]);
  });
});

describe('conflict screening', () => {
  const recent = daysAgo(30);
  const header =
    'crime_reference,offence_group,da_marker,outcome_code,deciding_body,decision_date,unit,decision_maker_id,officer_in_case_id,victim_supports_action,suspect_identified,custody_disposal,protective_measures,thrive_recorded,victims_voice_recorded,summary';
  const row = (body: string, unit: string, maker: string) =>
    `SYN/900001/26,rape,N,15,${body},${recent},${unit},${maker},OIC-0077,Y,Y,released_under_investigation,none,Y,Y,Synthetic record.`;
  const member = (name: string, extra: Record<string, unknown>) => ({
    name,
    agency: 'independent',
    capacityPerSitting: 4,
    standingConflicts: [],
    active: true,
    ...extra,
  });

  it('matches the ids an admin types with the pseudonymised decisions, and holds the police unit of a CPS decision', async () => {
    await stack.importDecisions(
      [header, row('police', 'PPU South', 'DM-9'), row('cps', 'CPS RASSO Unit', 'DM-0300')].join('\n'),
      'admin',
    );
    const decisions = (await stack.decisions()).filter(
      (d) => d.decisionDate === recent && d.unit !== undefined,
    );
    const police = decisions.find((d) => d.decidingBody === 'police' && d.unit === 'PPU South');
    const cps = decisions.find(
      (d) => d.decidingBody === 'cps' && d.crimeReference === police?.crimeReference,
    );
    expect(police && cps).toBeTruthy();

    const saved = await stack.api('PUT', '/reviewers/rev_conflict_person', {
      as: 'admin',
      body: member('Pat Declared', { standingConflicts: ['DM-9', 'unit:Legal Team'] }),
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.standingConflicts).toEqual([police?.decisionMakerId, 'unit:Legal Team']);
    const members = {
      rev_conflict_person: saved.body,
      rev_conflict_unit: member('Una Unit', { agency: 'police', unit: 'PPU South' }),
      rev_clear_one: member('Clear One', { agency: 'isva' }),
      rev_clear_two: member('Clear Two', { agency: 'academic' }),
    };
    for (const [reviewerId, body] of Object.entries(members)) {
      const { reviewerId: _id, ...fields } = body as Record<string, unknown>;
      expect((await stack.api('PUT', `/reviewers/${reviewerId}`, { as: 'admin', body: fields })).status).toBe(
        200,
      );
    }
    await stack.api('PUT', '/panels/pan_conflicts', {
      as: 'admin',
      body: { name: 'Conflicts panel', chairSubject: 'demo-chair', memberReviewerIds: Object.keys(members) },
    });
    const sittingId = 'sit_2096q4';
    await stack.api('PUT', `/sittings/${sittingId}`, {
      as: 'chair',
      body: { panelId: 'pan_conflicts', date: '2096-12-01', findingsDeadline: '2096-11-24' },
    });
    const caseOf = async (decisionId: string) => String((await stack.nominate(decisionId)).body.caseId);
    const policeCase = await caseOf(String(police?.decisionId));
    const cpsCase = await caseOf(String(cps?.decisionId));
    await stack.api('POST', `/sittings/${sittingId}/agenda`, {
      as: 'chair',
      body: { caseIds: [policeCase, cpsCase] },
    });
    expect((await stack.routeSitting(sittingId)).status).toBe('SUCCEEDED');

    const routing = await stack.api('GET', `/sittings/${sittingId}/routing`, { as: 'chair' });
    const exclusionsOf = (caseId: string) =>
      (
        (routing.body.cases as { caseId: string; routing: { outcome: { exclusions: unknown[] } } }[]).find(
          (c) => c.caseId === caseId,
        )?.routing.outcome.exclusions ?? []
      ).filter((e) => (e as { rule: string }).rule !== 'at-capacity');
    expect(exclusionsOf(policeCase)).toEqual(
      expect.arrayContaining([
        {
          reviewerId: 'rev_conflict_person',
          rule: 'declared-conflict',
          detail: 'declared a standing conflict with the decision-maker',
        },
        { reviewerId: 'rev_conflict_unit', rule: 'same-unit', detail: 'unit PPU South decided this case' },
      ]),
    );
    expect(exclusionsOf(cpsCase)).toEqual(
      expect.arrayContaining([
        {
          reviewerId: 'rev_conflict_person',
          rule: 'declared-conflict',
          detail: 'declared a standing conflict with the police decision-maker on the crime',
        },
        {
          reviewerId: 'rev_conflict_unit',
          rule: 'same-unit',
          detail: 'unit PPU South investigated the crime for the police',
        },
      ]),
    );
  });
});

describe('reads for the people who run panels', () => {
  it('finds the decisions on a crime by the reference the force writes, for auditors only', async () => {
    const found = await stack.api(
      'GET',
      `/decisions?crimeReference=${encodeURIComponent(' SYN/900001/26 ')}`,
      {
        as: 'auditor',
      },
    );
    expect(found.status).toBe(200);
    const items = found.body.items as { decidingBody: string; crimeReference: string }[];
    expect(items.map((decision) => decision.decidingBody).sort()).toEqual(['cps', 'police']);
    expect(items[0]?.crimeReference).not.toContain('SYN/900001/26');
    const none = await stack.api('GET', '/decisions?crimeReference=SYN%2F000000%2F00', { as: 'auditor' });
    expect(none.body.items).toEqual([]);
    expect(
      (await stack.api('GET', '/decisions?crimeReference=SYN%2F900001%2F26', { as: 'panel' })).status,
    ).toBe(403);
  });

  it('shows a chair the panels they chair and their sittings, and hides others as missing', async () => {
    const panels = await stack.api('GET', '/panels', { as: 'chair' });
    const chaired = panels.body.items as { panelId: string; chairSubject: string }[];
    expect(chaired.map((panel) => panel.panelId)).toContain(panelId);
    expect(new Set(chaired.map((panel) => panel.chairSubject))).toEqual(new Set(['demo-chair']));
    const sitting = await stack.api('GET', '/sittings/sit_2096q1', { as: 'chair' });
    expect(sitting.status).toBe(200);
    expect(sitting.body).toMatchObject({ sittingId: 'sit_2096q1', panelId, status: 'PLANNED' });

    const other = await stack.runtime.tokenFor('chair', {
      sub: 'demo-chair-elsewhere',
      'cognito:groups': ['panel_chair'],
    });
    expect((await stack.api('GET', '/panels', { token: other })).body.items).toEqual([]);
    const hidden = await stack.api('GET', '/sittings/sit_2096q1', { token: other });
    expect(hidden.status).toBe(404);
    expect((await stack.api('GET', '/sittings/sit_nothing', { as: 'admin' })).status).toBe(404);
  });
});

describe('a new question set', () => {
  it('leaves work in progress on the version it was assigned with, and new assignments take the new one', async () => {
    await stack.importDecisions(syntheticForceExport({ count: 40, seed: 505 }), 'admin');
    const sittingId = 'sit_2097q1';
    await plan(sittingId, { date: '2097-03-01', findingsDeadline: '2097-02-22', maxCases: 2 });
    const eligible = (await stack.eligibleDecisions()).slice(-2);
    const caseIds: string[] = [];
    for (const decision of eligible)
      caseIds.push(String((await stack.nominate(decision.decisionId)).body.caseId));
    const [first, second] = caseIds as [string, string];
    await stack.api('POST', `/sittings/${sittingId}/agenda`, { as: 'chair', body: { caseIds: [first] } });
    expect((await stack.routeSitting(sittingId)).status).toBe('SUCCEEDED');
    const [reviewerId] = (await reviewersOf(stack, first)) as [string];
    const token = await reviewerToken(stack, reviewerId);
    const before = await assignedCase(stack, token, first);
    const version = before.questionSet.version;

    const current = await stack.api('GET', '/question-sets/current', { as: 'admin' });
    const published = await stack.api('POST', '/question-sets', {
      as: 'admin',
      body: {
        title: 'Terms of reference, with one more question',
        questions: [
          ...(current.body.questions as unknown[]),
          {
            questionId: 'interpreter_offered',
            text: 'Was an interpreter offered where needed?',
            required: true,
          },
        ],
      },
    });
    expect(published.status).toBe(201);
    expect(published.body.version).toBe(version + 1);

    const view = await assignedCase(stack, token, first);
    expect(view.questionSet.version).toBe(version);
    const stale = await stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings`, {
      token,
      body: { ...findingFor(view, 'consistent'), questionSetVersion: version + 1 },
    });
    expect(stale.status).toBe(400);
    const submitted = await stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings`, {
      token,
      body: findingFor(view, 'consistent'),
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    expect(submitted.body.questionSetVersion).toBe(version);

    // The chair moves the other reviewer's open assignment on; the submitted one keeps its version.
    const move = (assignmentId: string) =>
      stack.api('POST', `/assignments/${assignmentId}/question-set`, {
        as: 'chair',
        body: { reason: 'the interpreter question matters for this case' },
      });
    expect((await move(view.assignment.assignmentId)).status).toBe(409);
    const [, otherId] = (await reviewersOf(stack, first)) as [string, string];
    const otherToken = await reviewerToken(stack, otherId);
    const other = await assignedCase(stack, otherToken, first);
    expect(other.questionSet.version).toBe(version);
    const moved = await move(other.assignment.assignmentId);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.questionSetVersion).toBe(version + 1);
    expect((await move(other.assignment.assignmentId)).status).toBe(200);
    const movedView = await assignedCase(stack, otherToken, first);
    expect(movedView.questionSet.version).toBe(version + 1);
    expect((await stack.api('GET', '/notifications', { token: otherToken })).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'question-set-changed', caseId: first })]),
    );
    const { caseHistory } = await import('../../shared/routing/assignment-store.ts');
    expect(await caseHistory(first)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'question-set-moved',
          reviewerId: otherId,
          to: String(version + 1),
        }),
      ]),
    );

    await stack.api('POST', `/sittings/${sittingId}/agenda`, { as: 'chair', body: { caseIds: [second] } });
    expect((await stack.routeSitting(sittingId)).status).toBe('SUCCEEDED');
    const [next] = (await reviewersOf(stack, second)) as [string];
    const later = await assignedCase(stack, await reviewerToken(stack, next), second);
    expect(later.questionSet.version).toBe(version + 1);
    expect(later.questionSet.questions.map((question) => question.questionId)).toContain(
      'interpreter_offered',
    );
  });
});
