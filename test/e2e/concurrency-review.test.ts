/**
 * Review under concurrency, on the local runtime: many requests for one finding at the same
 * instant, and the two reviewers of a case submitting at the same instant. Each scenario is
 * repeated ROUNDS times on fresh cases (nominated and routed together up front), and every round
 * ends in exactly one of each record, read straight from the table and the evidence bucket.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PANEL, DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { caseKeys } from '../../shared/cases/case-store.ts';
import { assignmentKey } from '../../shared/routing/assignment-store.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { assignedCase, type CaseView, findingFor, reviewersOf } from '../support/review.ts';

const ROUNDS = 20;
const REQUESTS = 50;
const SITTING = 'sit_concurrency';
/** Cases each round takes: one per scenario. */
const SCENARIOS = 3;

let stack: LocalStack;
const table = () => stack.runtime.physicalName('TablesMain');
const tokens = new Map<string, string>();
/** The cases routed to two reviewers, each with its reviewers' views, taken in turn by the rounds. */
const routed: { caseId: string; reviewers: { token: string; view: CaseView }[] }[] = [];

async function casePartition(caseId: string) {
  const { Items = [] } = await stack.documents.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': caseKeys.item(caseId).pk },
    }),
  );
  const of = (prefix: string) => Items.filter((item) => String(item.sk).startsWith(prefix));
  return {
    sks: Items.map((item) => String(item.sk)).sort(),
    reviewCase: Items.find((item) => item.sk === caseKeys.item(caseId).sk) as Record<string, unknown>,
    findings: of('FINDING#'),
    history: of('HISTORY#'),
    packs: of('PACK#'),
  };
}

async function assignmentItem(assignmentId: string) {
  const { Item } = await stack.documents.send(
    new GetCommand({ TableName: table(), Key: assignmentKey(assignmentId) }),
  );
  return Item as Record<string, unknown>;
}

const submit = (reviewer: { token: string; view: CaseView }, body: unknown) =>
  stack.api('POST', `/assignments/${reviewer.view.assignment.assignmentId}/findings`, {
    token: reviewer.token,
    body,
  });

/** The next fresh case for a round. */
function takeCase() {
  const next = routed.shift();
  if (!next) throw new Error('No routed case left for this round');
  return next;
}

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
  // Room for every round's cases in one sitting, and capacity for them among the panel.
  for (const { reviewerId, ...reviewer } of DEMO_REVIEWERS) {
    const subject = reviewer.subject ?? `demo-${reviewerId}`;
    const saved = await stack.api('PUT', `/reviewers/${reviewerId}`, {
      as: 'admin',
      body: { ...reviewer, subject, capacityPerSitting: 50 },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    tokens.set(reviewerId, await stack.runtime.tokenFor('panel', { sub: subject }));
  }
  const wanted = ROUNDS * SCENARIOS;
  const sitting = await stack.api('PUT', `/sittings/${SITTING}`, {
    as: 'admin',
    body: {
      panelId: DEMO_PANEL.panelId,
      date: '2098-01-20',
      findingsDeadline: '2098-01-13',
      maxCases: wanted + 10,
      reviewersPerCase: 2,
    },
  });
  expect(sitting.status, JSON.stringify(sitting.body)).toBe(200);

  await stack.importDecisions(syntheticForceExport({ count: 400, seed: 4242 }), 'admin');
  const caseIds: string[] = [];
  for (const decision of (await stack.eligibleDecisions()).slice(0, wanted + 10)) {
    const nominated = await stack.nominate(decision.decisionId);
    if (nominated.status === 201) caseIds.push(String(nominated.body.caseId));
  }
  const agenda = await stack.api('POST', `/sittings/${SITTING}/agenda`, {
    as: 'chair',
    body: { caseIds },
  });
  expect(agenda.status, JSON.stringify(agenda.body)).toBe(200);
  expect((await stack.routeSitting(SITTING)).status).toBe('SUCCEEDED');
  const viewsOf = async (caseId: string) => {
    const reviewerIds = await reviewersOf(stack, caseId);
    if (reviewerIds.length !== 2) return [];
    const reviewers = await Promise.all(
      reviewerIds.map(async (reviewerId) => {
        const token = String(tokens.get(reviewerId));
        return { token, view: await assignedCase(stack, token, caseId) };
      }),
    );
    return [{ caseId, reviewers }];
  };
  for (let start = 0; start < caseIds.length; start += 10) {
    routed.push(...(await Promise.all(caseIds.slice(start, start + 10).map(viewsOf))).flat());
  }
  expect(routed.length).toBeGreaterThanOrEqual(wanted);
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

describe('one finding submitted many times at once', () => {
  it(`stores one version from ${REQUESTS} identical submissions, and answers each with it (${ROUNDS} rounds)`, async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const { caseId, reviewers } = takeCase();
      const [reviewer] = reviewers as [{ token: string; view: CaseView }];
      const body = findingFor(reviewer.view, 'consistent');

      const answers = await Promise.all(Array.from({ length: REQUESTS }, () => submit(reviewer, body)));

      expect(answers.map((answer) => answer.status).filter((status) => status !== 201)).toEqual([]);
      const answer = answers[0] as (typeof answers)[number];
      for (const other of answers) expect(other.body).toEqual(answer.body);
      await stack.waitForExecution('ConcludeCase', String(answer.body.findingId));
      const stored = await casePartition(caseId);
      expect(stored.findings.map((finding) => finding.findingId)).toEqual([answer.body.findingId]);
      expect(stored.findings[0]?.submittedAt).toBe(answer.body.submittedAt);
      expect(stored.reviewCase).toMatchObject({ status: 'IN_REVIEW', findingVersions: 1 });
      expect(await assignmentItem(reviewer.view.assignment.assignmentId)).toMatchObject({
        status: 'submitted',
        submittedAt: answer.body.submittedAt,
      });
    }
  }, 120_000);

  it(`stores one of ${REQUESTS} different submissions for one assignment and refuses the rest, writing nothing else (${ROUNDS} rounds)`, async () => {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const { caseId, reviewers } = takeCase();
      const [reviewer] = reviewers as [{ token: string; view: CaseView }];
      const before = await casePartition(caseId);
      const bodies = Array.from({ length: REQUESTS }, (_, index) => ({
        ...findingFor(reviewer.view, 'consistent'),
        verdictRationale: `The reviewer finds the decision consistent (reading ${index})`,
      }));

      const answers = await Promise.all(bodies.map((body) => submit(reviewer, body)));

      const stored = answers.filter((answer) => answer.status === 201);
      const refused = answers.filter((answer) => answer.status === 409);
      expect(stored).toHaveLength(1);
      expect(refused).toHaveLength(REQUESTS - 1);
      for (const refusal of refused) expect(refusal.body.message).toMatch(/already submitted a finding/);
      const kept = stored[0] as (typeof stored)[number];
      await stack.waitForExecution('ConcludeCase', String(kept.body.findingId));
      const after = await casePartition(caseId);
      expect(after.findings).toHaveLength(1);
      expect(after.findings[0]).toMatchObject({
        findingId: kept.body.findingId,
        verdictRationale: kept.body.verdictRationale,
      });
      expect(after.sks).toEqual([...before.sks, String(after.findings[0]?.sk)].sort());
      expect(after.reviewCase).toMatchObject({ status: 'IN_REVIEW', findingVersions: 1 });
      expect(await assignmentItem(reviewer.view.assignment.assignmentId)).toMatchObject({
        status: 'submitted',
        submittedAt: kept.body.submittedAt,
      });
    }
  }, 120_000);
});

describe('two reviewers submitting agreeing findings at the same instant', () => {
  it(`conclude the case once, with one "concluded" event and one evidence pack that verifies (${ROUNDS} rounds)`, async () => {
    const bucket = stack.runtime.physicalName('StorageEvidence');
    for (let round = 1; round <= ROUNDS; round += 1) {
      const { caseId, reviewers } = takeCase();

      const answers = await Promise.all(
        reviewers.map((reviewer) => submit(reviewer, findingFor(reviewer.view, 'consistent'))),
      );

      expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
      const executions = await Promise.all(
        answers.map((answer) => stack.waitForExecution('ConcludeCase', String(answer.body.findingId))),
      );
      expect(executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      const stored = await casePartition(caseId);
      expect(stored.reviewCase).toMatchObject({
        status: 'CONCLUDED',
        verdict: 'consistent',
        concludedBy: 'agreement',
        findingVersions: 2,
      });
      expect(stored.findings).toHaveLength(2);
      const actions = stored.history.map((event) => String(event.action));
      expect(actions.filter((action) => action === 'concluded')).toHaveLength(1);
      expect(actions).not.toContain('to-moderation');
      expect(stored.history.find((event) => event.action === 'concluded')?.at).toBe(
        stored.reviewCase.concludedAt,
      );
      expect(stored.packs.map((pack) => [pack.sk, pack.status])).toEqual([['PACK#0001', 'complete']]);
      const { Contents = [] } = await stack.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `packs/cases/${caseId}/` }),
      );
      expect(Contents.length).toBeGreaterThan(0);
      expect(
        Contents.filter((object) => !String(object.Key).startsWith(`packs/cases/${caseId}/v0001/`)),
      ).toEqual([]);
      const verification = await stack.api('GET', `/cases/${caseId}/pack/verification`, { as: 'auditor' });
      expect(verification.body).toMatchObject({ ok: true, version: 1 });
    }
  }, 180_000);
});
