/**
 * An audit review round, end to end on the local stack: the audit team reviews its own dip sample
 * without a panel sitting. The team is checked, the sample's waiting cases become the round's
 * agenda, routing follows the conflict rules, findings are blind between auditors, the lead
 * moderates and closes, the cases are packed, and the sample's estimates count the verdicts.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AUDITORS } from '../../local/demo-panel.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { assignedCase, findingFor, reviewersOf, submitAndConclude } from '../support/review.ts';

let stack: LocalStack;
let sampleId: string;
let tokens: Map<string, string>;

const THIRD_AUDITOR = 'demo-auditor3';
const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
  await stack.importDecisions(syntheticForceExport({ count: 60, seed: 31 }), 'admin');
  // A third auditor joins: they sign in, and an admin adds them as a reviewer.
  const third = await stack.runtime.tokenFor('auditor', { sub: THIRD_AUDITOR, name: 'Sam Auditor' });
  await stack.api('GET', '/me', { token: third });
  const [template] = DEMO_AUDITORS;
  const { reviewerId: _id, ...body } = template as NonNullable<typeof template>;
  const saved = await stack.api('PUT', '/reviewers/rev_sam', {
    as: 'admin',
    body: { ...body, name: 'Sam Auditor', subject: THIRD_AUDITOR },
  });
  expect(saved.status).toBe(200);
  tokens = new Map([
    ['rev_alex', await stack.runtime.tokenFor('auditor')],
    ['rev_avery', await stack.runtime.tokenFor('auditor2')],
    ['rev_sam', third],
  ]);
  const created = await stack.api('POST', '/samples', {
    as: 'auditor',
    body: {
      label: 'Round sample',
      filter: { decisionDateFrom: '2024-01-01', decisionDateTo: '2027-12-31' },
      design: { type: 'simple' },
      size: 4,
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  sampleId = String(created.body.sampleId);
  await stack.runtime.waitForExecution('DipSample', sampleId);
});
afterAll(async () => stack?.close());

const openRound = (body: Record<string, unknown>, as = 'auditor') =>
  stack.api('POST', `/samples/${sampleId}/review-rounds`, { as, body });

async function decisionOf(caseId: string): Promise<string> {
  const { Item } = await stack.documents.send(
    new GetCommand({
      TableName: stack.runtime.physicalName('TablesMain'),
      Key: { pk: `CASE#${caseId}`, sk: 'CASE' },
    }),
  );
  return String(Item?.decisionId);
}

describe('an audit review round', () => {
  let sittingId: string;
  let agenda: string[];
  let conflicted: string;

  it('is refused a team that is not of auditors, naming each one', async () => {
    const refused = await openRound({
      auditorReviewerIds: ['rev_alex', 'rev_morgan', 'rev_nobody', 'rev_alex'],
      findingsDeadline: inAMonth,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([
      { field: 'body.auditorReviewerIds.1', reason: 'Morgan Panellist does not hold the auditor role' },
      {
        field: 'body.auditorReviewerIds.2',
        reason: 'rev_nobody is not a reviewer: an admin adds them first',
      },
      { field: 'body.auditorReviewerIds.3', reason: 'rev_alex is listed twice' },
    ]);
    const tooFew = await openRound({ auditorReviewerIds: ['rev_alex'], findingsDeadline: inAMonth });
    expect(tooFew.status).toBe(400);
    expect(tooFew.body.issues).toEqual([
      expect.objectContaining({
        field: 'body.auditorReviewerIds',
        reason: expect.stringContaining('reviewersPerCase'),
      }),
    ]);
  });

  it("takes the sample's waiting cases and routes them to the auditors under the conflict rules", async () => {
    const waiting = await stack.api('GET', `/cases?sampleId=${sampleId}`, { as: 'chair' });
    const caseIds = (waiting.body.items as { caseId: string }[]).map((item) => item.caseId).sort();
    expect(caseIds).toHaveLength(4);
    // Sam declared a standing conflict with the first case's decision: Sam is never picked for it.
    conflicted = String(caseIds[0]);
    const sam = await stack.api('PUT', '/reviewers/rev_sam', {
      as: 'admin',
      body: {
        ...(DEMO_AUDITORS[0] as object),
        reviewerId: undefined,
        name: 'Sam Auditor',
        subject: THIRD_AUDITOR,
        standingConflicts: [`decision:${await decisionOf(conflicted)}`],
      },
    });
    expect(sam.status).toBe(200);

    const opened = await openRound({
      auditorReviewerIds: ['rev_alex', 'rev_avery', 'rev_sam'],
      findingsDeadline: inAMonth,
    });
    expect(opened.status).toBe(201);
    const sitting = opened.body.sitting as { sittingId: string; agenda: string[]; auditOf: string };
    sittingId = sitting.sittingId;
    agenda = [...sitting.agenda].sort();
    expect(sittingId).toBe(`sit_${sampleId}_r1`);
    expect(sitting.auditOf).toBe(sampleId);
    expect(agenda).toEqual(caseIds);
    expect(opened.body.panel).toMatchObject({ kind: 'audit', chairSubject: 'demo-auditor' });
    await stack.runtime.waitForExecution(
      'RouteCases',
      String((opened.body.routing as { execution: string }).execution),
    );

    for (const caseId of agenda) expect(await reviewersOf(stack, caseId)).toHaveLength(2);
    expect(await reviewersOf(stack, conflicted)).toEqual(['rev_alex', 'rev_avery']);
    const routing = await stack.api('GET', `/sittings/${sittingId}/routing`, { as: 'auditor' });
    const ofConflicted = (routing.body.cases as { caseId: string; routing: { outcome: unknown } }[]).find(
      (entry) => entry.caseId === conflicted,
    );
    expect(JSON.stringify(ofConflicted?.routing.outcome)).toContain('declared-conflict');
    // Off the waiting list: the round holds them.
    const after = await stack.api('GET', `/cases?sampleId=${sampleId}`, { as: 'chair' });
    expect(after.body.total).toBe(0);
  });

  it('belongs to its lead: asked again it continues, another auditor is refused, others see nothing', async () => {
    const again = await openRound({
      auditorReviewerIds: ['rev_alex', 'rev_avery'],
      findingsDeadline: inAMonth,
    });
    expect(again.status).toBe(201);
    expect(again.body.added).toEqual([]);
    expect((again.body.sitting as { sittingId: string }).sittingId).toBe(sittingId);
    const other = await openRound(
      { auditorReviewerIds: ['rev_alex', 'rev_avery'], findingsDeadline: inAMonth },
      'auditor2',
    );
    expect(other.status).toBe(409);
    expect(String(other.body.message)).toContain('led by another auditor');
    expect((await stack.api('GET', `/sittings/${sittingId}`, { as: 'auditor' })).status).toBe(200);
    expect((await stack.api('GET', `/sittings/${sittingId}`, { as: 'auditor2' })).status).toBe(404);
    expect((await stack.api('GET', `/sittings/${sittingId}`, { as: 'chair' })).status).toBe(404);
    const listed = await stack.api('GET', '/sittings', { as: 'auditor' });
    expect((listed.body.items as { sittingId: string }[]).map((item) => item.sittingId)).toEqual([sittingId]);
  });

  it('keeps findings blind between auditors, then concludes, moderated by the lead where they differ', async () => {
    const [disputed, ...agreed] = agenda;
    for (const caseId of agenda) {
      const [first, second] = await reviewersOf(stack, caseId);
      const firstToken = tokens.get(String(first)) as string;
      const secondToken = tokens.get(String(second)) as string;
      const firstView = await assignedCase(stack, firstToken, caseId);
      expect(
        (await submitAndConclude(stack, firstToken, firstView, findingFor(firstView, 'consistent'))).status,
      ).toBe(201);
      // The second auditor has not submitted: the case's findings do not exist for them.
      expect((await stack.api('GET', `/cases/${caseId}/findings`, { token: secondToken })).status).toBe(404);
      const secondView = await assignedCase(stack, secondToken, caseId);
      const verdict = caseId === disputed ? 'inappropriate' : 'consistent';
      expect(
        (await submitAndConclude(stack, secondToken, secondView, findingFor(secondView, verdict))).status,
      ).toBe(201);
      expect((await stack.api('GET', `/cases/${caseId}/findings`, { token: secondToken })).status).toBe(200);
    }
    for (const caseId of agreed) {
      const findings = await stack.api('GET', `/cases/${caseId}/findings`, { as: 'auditor' });
      expect(findings.body).toMatchObject({ status: 'CONCLUDED', verdict: 'consistent' });
    }
    const moderated = await stack.api('POST', `/cases/${disputed}/moderation`, {
      as: 'auditor',
      body: { verdict: 'appropriate_with_observations', reason: 'the file shows the threshold was applied' },
    });
    expect(moderated.status).toBe(201);
    await expect
      .poll(
        async () => (await stack.api('GET', `/cases/${disputed}/findings`, { as: 'auditor' })).body.status,
        {
          timeout: 20_000,
        },
      )
      .toBe('CONCLUDED');
    // The pack is written as the conclusion workflow's last step.
    await expect
      .poll(async () => (await stack.api('GET', `/cases/${disputed}/pack`, { as: 'auditor' })).status, {
        timeout: 20_000,
      })
      .toBe(200);
  });

  it("feeds the sample's estimates, and is closed by its lead", async () => {
    const estimates = await stack.api('GET', `/samples/${sampleId}/estimates`, { as: 'auditor' });
    expect(estimates.body.overall).toMatchObject({ drawn: 4, concluded: 4, nonCompliant: 0, excluded: 0 });
    const early = await stack.api('POST', `/sittings/${sittingId}/closure`, { as: 'auditor', body: {} });
    expect(early.status).toBe(409);
    const closed = await stack.api('POST', `/sittings/${sittingId}/closure`, {
      as: 'auditor',
      body: { earlyReason: 'every case of the sample is concluded' },
    });
    expect(closed.status).toBeLessThan(300);
    expect((await stack.api('GET', `/sittings/${sittingId}`, { as: 'auditor' })).body.status).toBe('CLOSED');
    const none = await openRound({
      auditorReviewerIds: ['rev_alex', 'rev_avery'],
      findingsDeadline: inAMonth,
    });
    expect(none.status).toBe(409);
    expect(String(none.body.message)).toContain('waits for review');
  });
});
