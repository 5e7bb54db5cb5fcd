/**
 * A whole sitting through the API and the synthesized workflows: nominated and dip-sampled cases
 * on the agenda, routed; blind findings with refusals, retries and an amendment; agreement
 * concluding cases, a disagreement moderated by the chair, a "cannot conclude" carried over;
 * evidence packs verified, a tampered one caught (by the API and by `scrutineer pack verify`) and
 * corrected; sitting and sample reports whose numbers match the findings; recommendations chased
 * by the sweep and closed with evidence.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { cohensKappa } from '../../shared/review/agreement.ts';
import { runCli } from '../cli/run-cli.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import {
  assignedCase,
  type CaseView,
  findingFor,
  reviewCase,
  reviewersOf,
  reviewerToken,
  submitAndConclude,
} from '../support/review.ts';

const SITTING = 'sit_2027q1';
const NEXT_SITTING = 'sit_2027q2';

let stack: LocalStack;
let workDir: string;
const nominated: string[] = [];
let sampleId: string;
let sampled: string[] = [];
let lateCase: string;

const table = () => stack.runtime.physicalName('TablesMain');

async function casesOfSample(id: string): Promise<string[]> {
  const { Items = [] } = await stack.documents.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'byKind',
      KeyConditionExpression: 'gsi1pk = :kind',
      ExpressionAttributeValues: { ':kind': 'CASE' },
    }),
  );
  return Items.filter((item) => item.origin?.sampleId === id)
    .map((item) => String(item.caseId))
    .sort();
}

async function caseRecord(caseId: string) {
  const findings = await stack.api('GET', `/cases/${caseId}/findings`, { as: 'auditor' });
  return findings.body as { status: string; verdict?: string; findings: Record<string, unknown>[] };
}

beforeAll(async () => {
  [stack, workDir] = await Promise.all([
    startLocalStack(),
    mkdtemp(path.join(os.tmpdir(), 'scrutineer-review-')),
  ]);
  await seedDemoPanel();
  await stack.importDecisions(syntheticForceExport({ count: 200, seed: 2027 }), 'admin');
  for (const decision of (await stack.eligibleDecisions()).slice(0, 4)) {
    nominated.push(String((await stack.nominate(decision.decisionId)).body.caseId));
  }
  // Nominated before the sample is drawn, so the sample cannot draw it; it joins the agenda late.
  const [fifth] = (await stack.eligibleDecisions()).slice(4, 5);
  lateCase = String((await stack.nominate(String(fifth?.decisionId), 'cps')).body.caseId);
  const created = await stack.api('POST', '/samples', {
    as: 'auditor',
    body: {
      label: 'Q1 dip sample',
      filter: { decisionDateFrom: '2024-01-01', decisionDateTo: '2027-12-31', decisionTypes: ['police_nfa'] },
      design: { type: 'simple' },
      size: 3,
      seed: 'review-e2e-seed-2027',
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  sampleId = String(created.body.sampleId);
  await stack.waitForExecution('DipSample', sampleId);
  sampled = await casesOfSample(sampleId);
  const agenda = await stack.api('POST', `/sittings/${SITTING}/agenda`, {
    as: 'chair',
    body: { caseIds: [...nominated, ...sampled] },
  });
  expect(agenda.body.added).toHaveLength(7);
  expect((await stack.routeSitting(SITTING)).status).toBe('SUCCEEDED');
});
afterAll(async () => {
  await stack?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('a reviewer’s view of their case', () => {
  it('is the redacted decision, the nominations’ reasons and short-lived links to case files', async () => {
    const [caseA] = nominated as [string];
    const upload = await stack.api('POST', `/cases/${caseA}/files`, {
      as: 'admin',
      body: { fileName: 'decision-log.txt', contentType: 'text/plain' },
    });
    expect(upload.status).toBe(201);
    await fetch(String(upload.body.uploadUrl), { method: 'PUT', body: 'Redacted decision log (synthetic)' });

    const [first] = await reviewersOf(stack, caseA);
    const token = await reviewerToken(stack, String(first));
    const view = (await assignedCase(stack, token, caseA)) as CaseView & Record<string, unknown>;
    for (const hidden of ['crimeReference', 'decisionMakerId', 'officerInCaseId', 'provenance']) {
      expect(view.decision).not.toHaveProperty(hidden);
    }
    const nominations = view.nominations as Record<string, unknown>[];
    expect(nominations).toHaveLength(1);
    expect(nominations[0]).toMatchObject({ reasonCodes: ['victim_dissatisfied'], nominatorRole: 'isva' });
    expect(nominations[0]).not.toHaveProperty('nominatedBy');
    const files = (view.caseFiles as { files: { name: string; url: string }[] }).files;
    expect(files.map((file) => file.name)).toEqual(['decision-log.txt']);
    expect(await (await fetch(String(files[0]?.url))).text()).toBe('Redacted decision log (synthetic)');
    expect(view.questionSet.version).toBe(1);
    expect(view.ownFindings).toEqual([]);

    const removed = await stack.api('DELETE', `/cases/${caseA}/files/decision-log.txt`, { as: 'admin' });
    expect(removed.status).toBe(200);
    expect(removed.body.fileSha256).toBe(
      createHash('sha256').update('Redacted decision log (synthetic)').digest('hex'),
    );
    const { caseHistory } = await import('../../shared/routing/assignment-store.ts');
    expect(await caseHistory(caseA)).toContainEqual(
      expect.objectContaining({
        action: 'case-file-erased',
        fileSha256: removed.body.fileSha256,
        by: 'demo-admin',
      }),
    );
    const after = (await assignedCase(stack, token, caseA)) as CaseView & Record<string, unknown>;
    expect((after.caseFiles as { files: unknown[] }).files).toEqual([]);
    const again = await stack.api('DELETE', `/cases/${caseA}/files/decision-log.txt`, { as: 'admin' });
    expect(again.status).toBe(404);
    await fetch(String(upload.body.uploadUrl), { method: 'PUT', body: 'Redacted decision log (synthetic)' });

    const trail = await stack.api('GET', `/audit/records/case/${caseA}`, { as: 'auditor' });
    const actions = (trail.body.items as { action: string; via: string }[]).map(
      (e) => `${e.action} ${e.via}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'consult GET /assignments/{assignmentId}/case',
        'disclose GET /assignments/{assignmentId}/case',
        'erase DELETE /cases/{caseId}/files/{fileName}',
      ]),
    );
  });

  it('is not there for anyone else: another reviewer’s assignment answers as missing', async () => {
    const [caseA] = nominated as [string];
    const [first, second] = await reviewersOf(stack, caseA);
    const view = await assignedCase(stack, await reviewerToken(stack, String(first)), caseA);
    const intruder = await stack.api('GET', `/assignments/${view.assignment.assignmentId}/case`, {
      token: await reviewerToken(stack, String(second)),
    });
    expect(intruder.status).toBe(404);
    const outsider = DEMO_REVIEWERS.find((reviewer) => ![first, second].includes(reviewer.reviewerId));
    const stranger = await stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings`, {
      token: await reviewerToken(stack, String(outsider?.reviewerId)),
      body: findingFor(view, 'consistent'),
    });
    expect(stranger.status).toBe(404);
  });
});

describe('submitting findings', () => {
  let token: string;
  let view: CaseView;

  beforeAll(async () => {
    const [first] = await reviewersOf(stack, nominated[0] as string);
    token = await reviewerToken(stack, String(first));
    view = await assignedCase(stack, token, nominated[0] as string);
  });

  const submit = (body: unknown) =>
    stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings`, { token, body });

  it('refuses answers that do not fit the question set, naming each field, and stores nothing', async () => {
    const complete = findingFor(view, 'consistent');
    const { lines_of_enquiry: _missing, ...withoutOne } = complete.answers as Record<string, unknown>;
    const cases: [unknown, string][] = [
      [{ ...complete, answers: withoutOne }, 'body.answers.lines_of_enquiry'],
      [
        { ...complete, answers: { ...complete.answers, made_up: { code: 'yes', rationale: 'x' } } },
        'body.answers.made_up',
      ],
      [{ ...complete, questionSetVersion: 7 }, 'body.questionSetVersion'],
      [{ ...complete, verdict: 'mostly fine' }, 'body.verdict'],
      [{ ...complete, verdictRationale: 'x'.repeat(4001) }, 'body.verdictRationale'],
      [
        { ...complete, answers: { ...complete.answers, timeliness: { code: 'no', rationale: '' } } },
        'body.answers.timeliness.rationale',
      ],
      [
        { ...complete, recommendations: [{ text: 'Train', owner: 'PPU', dueDate: '2020-01-01' }] },
        'body.recommendations.0.dueDate',
      ],
    ];
    for (const [body, field] of cases) {
      const refused = await submit(body);
      expect(refused.status, field).toBe(400);
      expect((refused.body.issues as { field: string }[]).map((issue) => issue.field)).toContain(field);
    }
    const everything = await submit({
      ...complete,
      answers: { ...withoutOne, made_up: { code: 'yes', rationale: 'x' } },
      questionSetVersion: 7,
      recommendations: [{ text: 'Train', owner: 'PPU', dueDate: '2020-01-01' }],
    });
    expect(everything.status).toBe(400);
    expect((everything.body.issues as { field: string }[]).map((issue) => issue.field).sort()).toEqual(
      [
        'body.answers.lines_of_enquiry',
        'body.answers.made_up',
        'body.questionSetVersion',
        'body.recommendations.0.dueDate',
      ].sort(),
    );
    const tooLarge = await submit({ ...complete, goodPractice: 'x'.repeat(300 * 1024) });
    expect(tooLarge.status).toBe(413);
    expect((await caseRecord(nominated[0] as string)).findings).toEqual([]);
  });

  it('stores one finding when the same submission is retried, and keeps free text as typed', async () => {
    const body = {
      ...findingFor(view, 'consistent'),
      goodPractice: '<script>alert("x")</script> Early advice from a RASSO lawyer',
    };
    const first = await submit(body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await submit(body);
    expect(again.status).toBe(201);
    expect(again.body.findingId).toBe(first.body.findingId);
    expect(first.body).toMatchObject({ version: 1, questionSetVersion: 1, goodPractice: body.goodPractice });
    expect((await caseRecord(nominated[0] as string)).findings).toHaveLength(1);
  });

  it('refuses a different second submission and takes an amendment as the next version', async () => {
    const changed = await submit(findingFor(view, 'appropriate_with_observations'));
    expect(changed.status).toBe(409);
    expect(changed.body.message).toMatch(/amendment/);
    const amend = (amendsVersion: number) =>
      stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings/amendments`, {
        token,
        body: {
          ...findingFor(view, 'consistent', 'partly'),
          amendsVersion,
          reason: 'Read the third-party material again',
        },
      });
    const amended = await amend(1);
    expect(amended.status).toBe(201);
    expect(amended.body).toMatchObject({ version: 2, amendment: { amendsVersion: 1 } });
    expect((await amend(1)).status).toBe(201); // a retry of the same amendment
    const stale = await stack.api(
      'POST',
      `/assignments/${view.assignment.assignmentId}/findings/amendments`,
      {
        token,
        body: { ...findingFor(view, 'inappropriate'), amendsVersion: 1, reason: 'changed my mind' },
      },
    );
    expect(stale.status).toBe(409);
    expect((await caseRecord(nominated[0] as string)).findings.map((f) => f.version)).toEqual([1, 2]);
  });

  it('is blind: a reviewer reads the others’ findings only once their own is in', async () => {
    const caseA = nominated[0] as string;
    const [first, second] = await reviewersOf(stack, caseA);
    const secondToken = await reviewerToken(stack, String(second));
    expect((await stack.api('GET', `/cases/${caseA}/findings`, { token: secondToken })).status).toBe(404);
    const own = await stack.api('GET', `/cases/${caseA}/findings`, { token });
    expect(own.status).toBe(200);
    expect((own.body.findings as { reviewerId: string }[]).every((f) => f.reviewerId === first)).toBe(true);
    // The case stays in review until the second reviewer submits.
    expect((await caseRecord(caseA)).status).toBe('IN_REVIEW');
  });
});

describe('concluding', () => {
  it('concludes a case whose reviewers agree, and writes its evidence pack', async () => {
    const [caseA, , , caseD] = nominated as [string, string, string, string];
    const [, second] = await reviewersOf(stack, caseA);
    const token = await reviewerToken(stack, String(second));
    const submitted = await submitAndConclude(stack, token, await assignedCase(stack, token, caseA), {
      ...findingFor(await assignedCase(stack, token, caseA), 'consistent'),
    });
    expect(submitted.status).toBe(201);
    expect(await caseRecord(caseA)).toMatchObject({ status: 'CONCLUDED', verdict: 'consistent' });
    const pack = await stack.api('GET', `/cases/${caseA}/pack`, { as: 'auditor' });
    expect(pack.status).toBe(200);
    expect((pack.body.files as { name: string }[]).map((file) => file.name)).toContain('pack.html');

    const late = await stack.api('POST', `/assignments/${submitted.body.assignmentId}/findings/amendments`, {
      token,
      body: {
        ...findingFor(await assignedCase(stack, token, caseA), 'inappropriate'),
        amendsVersion: 1,
        reason: 'late',
      },
    });
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/concluded/);

    // The same submission sent again (its answer lost) gets the stored finding, not a refusal.
    const resent = await stack.api('POST', `/assignments/${submitted.body.assignmentId}/findings`, {
      token,
      body: findingFor(await assignedCase(stack, token, caseA), 'consistent'),
    });
    expect(resent.status).toBe(201);
    expect(resent.body.findingId).toBe(submitted.body.findingId);

    const withRecommendation = (view: CaseView) => ({
      ...findingFor(view, 'inappropriate', 'no'),
      recommendations: [
        { text: 'Review supervision of outcome 16 decisions', owner: 'Head of PPU', dueDate: '2096-03-31' },
      ],
      themes: ['supervision', 'victim voice'],
    });
    for (const reviewerId of await reviewersOf(stack, caseD)) {
      const reviewer = await reviewerToken(stack, reviewerId);
      const view = await assignedCase(stack, reviewer, caseD);
      expect((await submitAndConclude(stack, reviewer, view, withRecommendation(view))).status).toBe(201);
    }
    expect(await caseRecord(caseD)).toMatchObject({ status: 'CONCLUDED', verdict: 'inappropriate' });
  });

  it('runs again on a concluded case without writing anything twice', async () => {
    const caseD = nominated[3] as string;
    const table = stack.runtime.physicalName('TablesMain');
    const snapshot = async () => {
      const { Items = [] } = await stack.documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `CASE#${caseD}` },
        }),
      );
      const recommendations = (await stack.api('GET', '/recommendations', { as: 'auditor' })).body
        .items as unknown[];
      return { items: Items.map((item) => String(item.sk)).sort(), recommendations: recommendations.length };
    };
    const before = await snapshot();
    const machine = stack.runtime.physicalName('ConcludeCase');
    await stack.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machine,
        name: 'rerun-of-a-concluded-case',
        input: JSON.stringify({ caseId: caseD, requestedBy: { subject: 'demo-admin' } }),
      }),
    );
    const rerun = await stack.waitForExecution('ConcludeCase', 'rerun-of-a-concluded-case');
    expect(rerun.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(rerun.output)).pack).toMatchObject({ version: 1 });
    expect(await snapshot()).toEqual(before);
  });

  it('sends a disagreement to the chair, whose decision and reason conclude it', async () => {
    const caseB = nominated[1] as string;
    await reviewCase(stack, caseB, ['consistent', 'inappropriate']);
    expect((await caseRecord(caseB)).status).toBe('MODERATION');
    const shown = await runCli(['sittings', 'progress', SITTING], {
      SCRUTINEER_API_URL: stack.runtime.apiUrl,
      SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl,
    });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('2 concluded, 1 awaiting moderation');
    const progress = await stack.api('GET', `/sittings/${SITTING}/progress`, { as: 'chair' });
    expect(progress.body).toMatchObject({ awaitingModeration: 1, concluded: 2 });
    expect((progress.body.cases as { caseId: string }[]).find((c) => c.caseId === caseB)).toEqual({
      caseId: caseB,
      origin: 'nomination',
      status: 'MODERATION',
      reviewers: 2,
      submitted: 2,
    });
    const notifications = await stack.api('GET', '/notifications', { as: 'chair' });
    expect(notifications.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'moderation-needed', caseId: caseB })]),
    );
    const notReady = await stack.api('POST', `/cases/${nominated[2]}/moderation`, {
      as: 'chair',
      body: { verdict: 'consistent', reason: 'x' },
    });
    expect(notReady.status).toBe(409);
    const otherChair = await stack.runtime.tokenFor('chair', { sub: 'demo-another-chair' });
    const decision = {
      verdict: 'appropriate_with_observations',
      reason: 'The evidential stage was applied correctly, but the victim was not told of VRR in time',
      recommendations: [
        { text: 'Send VRR letters within 5 working days', owner: 'Head of Crime', dueDate: '2096-02-28' },
      ],
    };
    expect(
      (await stack.api('POST', `/cases/${caseB}/moderation`, { token: otherChair, body: decision })).status,
    ).toBe(404);
    const moderated = await stack.api('POST', `/cases/${caseB}/moderation`, { as: 'chair', body: decision });
    expect(moderated.status).toBe(201);
    const again = await stack.api('POST', `/cases/${caseB}/moderation`, { as: 'chair', body: decision });
    expect(again.status).toBe(201);
    expect(again.body.moderatedAt).toBe(moderated.body.moderatedAt);
    expect(moderated.body.reviewerVerdicts).toEqual(
      Object.fromEntries(
        (await reviewersOf(stack, caseB)).map((id, index) => [id, ['consistent', 'inappropriate'][index]]),
      ),
    );
    await stack.waitForExecution(
      'ConcludeCase',
      (await import('../../shared/ids.ts')).deterministicId('mod', caseB, SITTING),
    );
    const record = await caseRecord(caseB);
    expect(record).toMatchObject({ status: 'CONCLUDED', verdict: 'appropriate_with_observations' });
    expect((await stack.api('GET', `/cases/${caseB}/findings`, { as: 'chair' })).body.moderations).toEqual([
      expect.objectContaining({
        verdict: 'appropriate_with_observations',
        reason: decision.reason,
        moderatedBy: 'demo-chair',
      }),
    ]);
  });

  it('carries a case the panel cannot conclude to the next sitting', async () => {
    const caseC = nominated[2] as string;
    const [first] = await reviewCase(stack, caseC, ['cannot_conclude', 'cannot_conclude']);
    // On the next sitting's agenda, waiting to be routed there; the sitting it left is on record.
    expect((await caseRecord(caseC)).status).toBe('OPEN');
    const progress = await stack.api('GET', `/sittings/${SITTING}/progress`, { as: 'chair' });
    expect(
      (progress.body.cases as { caseId: string; status: string }[]).find((c) => c.caseId === caseC)?.status,
    ).toBe('CARRIED_OVER');
    const sittings = await stack.api('GET', '/sittings', { as: 'chair' });
    const next = (sittings.body.items as { sittingId: string; agenda: string[] }[]).find(
      (sitting) => sitting.sittingId === NEXT_SITTING,
    );
    expect(next?.agenda).toContain(caseC);
    // A resend of a finding the carry-over was decided on still gets the stored finding, unchanged.
    const resent = await stack.api('POST', `/assignments/${first?.view.assignment.assignmentId}/findings`, {
      token: first?.token,
      body: findingFor(first?.view as CaseView, 'cannot_conclude'),
    });
    expect(resent.status).toBe(201);
    expect(resent.body.findingId).toBe(first?.finding.findingId);
    // It is routed afresh for the next sitting.
    expect((await stack.routeSitting(NEXT_SITTING)).status).toBe('SUCCEEDED');
    expect(await reviewersOf(stack, caseC)).toHaveLength(2);
  });

  it('concludes the dip-sampled cases, which the sample’s estimates then count', async () => {
    const verdicts = ['consistent', 'inappropriate', 'consistent'];
    for (const [index, caseId] of sampled.entries()) {
      await reviewCase(stack, caseId, [verdicts[index] as string, verdicts[index] as string]);
    }
    const estimates = await stack.api('GET', `/samples/${sampleId}/estimates`, { as: 'auditor' });
    expect(estimates.body.overall).toMatchObject({ drawn: 3, concluded: 3, nonCompliant: 1 });
  });
});

describe('evidence packs', () => {
  it('verify, and a tampered file is caught by the API and by `scrutineer pack verify`', async () => {
    const caseA = nominated[0] as string;
    const cli = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
    const clean = await stack.api('GET', `/cases/${caseA}/pack/verification`, { as: 'auditor' });
    expect(clean.body).toMatchObject({ ok: true, version: 1 });
    const intact = await runCli(['pack', 'verify', caseA], cli);
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/all \d+ files match/);

    const pack = await stack.api('GET', `/cases/${caseA}/pack`, { as: 'auditor' });
    const html = await (
      await fetch(
        String((pack.body.files as { name: string; url: string }[]).find((f) => f.name === 'pack.html')?.url),
      )
    ).text();
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script>');

    await stack.s3.send(
      new PutObjectCommand({
        Bucket: stack.runtime.physicalName('StorageEvidence'),
        Key: `packs/cases/${caseA}/v0001/findings.json`,
        Body: '[]\n',
      }),
    );
    const tampered = await stack.api('GET', `/cases/${caseA}/pack/verification`, { as: 'auditor' });
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.files).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'findings.json', ok: false, problem: 'altered' }),
      ]),
    );
    const caught = await runCli(['pack', 'verify', caseA], cli);
    expect(caught.code).toBe(1);
    expect(`${caught.stdout}${caught.stderr}`).toMatch(/TAMPERED/);
    expect(`${caught.stdout}${caught.stderr}`).toContain('findings.json');

    const corrected = await stack.api('POST', `/cases/${caseA}/pack`, {
      as: 'admin',
      body: { reason: 'version 1 failed verification; rebuilt from the state of record' },
    });
    expect(corrected.status).toBe(201);
    expect(corrected.body.version).toBe(2);
    const latest = await stack.api('GET', `/cases/${caseA}/pack`, { as: 'auditor' });
    const manifest = (await (await fetch(String((latest.body.manifest as { url: string }).url))).json()) as {
      previous?: unknown;
    };
    expect(manifest.previous).toMatchObject({
      version: 1,
      reason: expect.stringContaining('failed verification'),
    });
    expect((await stack.api('GET', `/cases/${caseA}/pack/verification`, { as: 'auditor' })).body.ok).toBe(
      true,
    );
  });

  it('keep the values a case was reviewed on when a later import corrects its decision', async () => {
    const caseA = nominated[0] as string;
    const decisionInPack = async () => {
      const latest = await stack.api('GET', `/cases/${caseA}/pack`, { as: 'auditor' });
      const files = latest.body.files as { name: string; url: string }[];
      const url = String(files.find((file) => file.name === 'decision.json')?.url);
      return (await (await fetch(url)).json()) as { decisionId: string; summary?: string };
    };
    const before = await decisionInPack();
    const stored = await stack.api('GET', `/decisions/${before.decisionId}`, { as: 'auditor' });
    const sourceLine = Number((stored.body.provenance as { sourceLine: number }).sourceLine);
    const [header = '', ...rows] = syntheticForceExport({ count: 200, seed: 2027 }).split('\n');
    const row = parse(`${header}\n${rows[sourceLine - 2]}`, { columns: true })[0] as Record<string, string>;
    await stack.importDecisions(
      `${header}\n${stringify([{ ...row, summary: 'Synthetic summary, corrected after review' }])}`,
    );
    const corrected = await stack.api('GET', `/decisions/${before.decisionId}`, { as: 'auditor' });
    expect(corrected.body).toMatchObject({
      summary: 'Synthetic summary, corrected after review',
      revision: 2,
    });

    const rebuilt = await stack.api('POST', `/cases/${caseA}/pack`, {
      as: 'admin',
      body: { reason: 'rebuilt after the decision was corrected by a later import' },
    });
    expect(rebuilt.status).toBe(201);
    expect(await decisionInPack()).toEqual(before);
    expect(before.summary).not.toBe('Synthetic summary, corrected after review');
  });

  it('give two writers of the same pack one version, and writers of different packs a version each', async () => {
    // In process, on the same stand-ins: the runtime has set the endpoints and names the code reads.
    const { writePack, packVersions, verifyStoredPack } = await import('../../shared/evidence/packs.ts');
    const subject = { kind: 'sitting', id: 'sit_pack_race' } as const;
    const pack = (text: string) => () => ({
      files: [{ name: 'report.json', contentType: 'application/json', content: text }],
      createdAt: '2027-01-20T17:00:00.000Z',
    });
    const [a, b] = await Promise.all([
      writePack(subject, pack('{"a":1}\n')),
      writePack(subject, pack('{"a":1}\n')),
    ]);
    expect([a.version, b.version]).toEqual([1, 1]);
    expect(a.manifestSha256).toBe(b.manifestSha256);
    const [c, d] = await Promise.all([
      writePack(subject, pack('{"b":2}\n'), { reason: 'second report' }),
      writePack(subject, pack('{"c":3}\n'), { reason: 'third report' }),
    ]);
    expect([c.version, d.version].sort()).toEqual([2, 3]);
    expect((await packVersions(subject)).map((version) => version.status)).toEqual([
      'complete',
      'complete',
      'complete',
    ]);
    for (const version of [1, 2, 3]) expect((await verifyStoredPack(subject, version)).ok).toBe(true);
  });

  it('are not there for a chair of another panel or a panel member', async () => {
    const caseA = nominated[0] as string;
    const otherChair = await stack.runtime.tokenFor('chair', { sub: 'demo-another-chair' });
    expect((await stack.api('GET', `/cases/${caseA}/pack`, { token: otherChair })).status).toBe(404);
    expect((await stack.api('GET', `/cases/${caseA}/pack`, { as: 'panel' })).status).toBe(403);
  });
});

describe('reports', () => {
  it('report the sitting: verdicts, themes, recommendations and agreement that match the findings', async () => {
    const made = await stack.api('POST', `/sittings/${SITTING}/reports`, { as: 'chair' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const files = made.body.files as { json: string; csv: string; html: string };
    // biome-ignore lint/suspicious/noExplicitAny: the report's JSON, checked field by field below
    const report = (await (await fetch(files.json)).json()) as any;
    expect(report.verdicts).toMatchObject({
      counts: { consistent: 3, appropriate_with_observations: 1, inappropriate: 2, cannot_conclude: 0 },
      concluded: 6,
      byAgreement: 5,
      byModeration: 1,
      carriedOver: 1,
    });
    expect(report.themes).toEqual(
      expect.arrayContaining([
        { theme: 'bail conditions', cases: 6 },
        { theme: 'supervision', cases: 1 },
      ]),
    );
    // The two reviewers' identical proposals are one, waiting for the chair; the chair's own is tracked.
    expect(
      report.recommendations.items
        .map((r: { owner: string; status: string }) => `${r.owner}: ${r.status}`)
        .sort(),
    ).toEqual(['Head of Crime: open', 'Head of PPU: proposed']);

    // The verdict agreement, computed here from the findings with Cohen's kappa (reviewers in id order).
    const pairs: [string, string][] = [];
    for (const caseId of [...nominated, ...sampled]) {
      const findings = (await stack.api('GET', `/cases/${caseId}/findings`, { as: 'auditor' })).body
        .findings as {
        reviewerId: string;
        version: number;
        verdict: string;
        sittingId: string;
      }[];
      const latest = new Map<string, { verdict: string; version: number }>();
      for (const finding of findings.filter((f) => f.sittingId === SITTING)) {
        const seen = latest.get(finding.reviewerId);
        if (!seen || seen.version < finding.version) latest.set(finding.reviewerId, finding);
      }
      const ordered = [...latest.entries()].sort(([a], [b]) =>
        a.localeCompare(b, 'en-GB', { numeric: true }),
      );
      pairs.push([String(ordered[0]?.[1].verdict), String(ordered[1]?.[1].verdict)]);
    }
    const expected = cohensKappa(pairs);
    expect(report.agreement.verdict).toMatchObject({ items: 7, method: 'cohen' });
    expect(report.agreement.verdict.kappa).toBeCloseTo(expected.kappa ?? Number.NaN, 10);
    expect(report.agreement.verdict.rawAgreement).toBeCloseTo(6 / 7, 10);

    // Each question's answers account for every concluded case once.
    const lines = report.answers.find((q: { questionId: string }) => q.questionId === 'lines_of_enquiry');
    expect(lines.cases).toBe(6);
    expect(
      lines.answered + lines.notApplicable + lines.cannotTell + lines.reviewersDiffer + lines.notAsked,
    ).toBe(6);

    const csv = await (await fetch(files.csv)).text();
    expect(csv).toContain('verdicts,consistent');
    const html = await (await fetch(files.html)).text();
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');

    const downloaded = await runCli(['report', 'sitting', SITTING, '--out', workDir], {
      SCRUTINEER_API_URL: stack.runtime.apiUrl,
      SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl,
    });
    expect(downloaded.code, downloaded.stderr).toBe(0);
    const again = JSON.parse(await readFile(path.join(workDir, `${SITTING}-report.json`), 'utf8'));
    expect(again.verdicts).toEqual(report.verdicts);

    const pack = await stack.api('GET', `/sittings/${SITTING}/pack`, { as: 'auditor' });
    expect((pack.body.files as { name: string }[]).map((f) => f.name).sort()).toEqual([
      'report.csv',
      'report.html',
      'report.json',
    ]);
    const verified = await runCli(['pack', 'verify', SITTING], {
      SCRUTINEER_API_URL: stack.runtime.apiUrl,
      SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl,
    });
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('report the dip sample through the CLI, with the estimates and their intervals', async () => {
    const run = await runCli(['report', 'sample', sampleId, '--out', workDir], {
      SCRUTINEER_API_URL: stack.runtime.apiUrl,
      SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl,
    });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(workDir, `${sampleId}-report.json`), 'utf8'));
    const estimates = (await stack.api('GET', `/samples/${sampleId}/estimates`, { as: 'auditor' })).body;
    expect(JSON.stringify(report)).toContain(
      String((estimates.overall as { wilson: { lower: number } }).wilson.lower),
    );
    // Its cases, each with the sample it came from, and the answers of those concluded.
    expect(report.cases.map((c: { caseId: string }) => c.caseId).sort()).toEqual(sampled);
    expect(new Set(report.cases.map((c: { sampleId: string }) => c.sampleId))).toEqual(new Set([sampleId]));
    expect(
      report.answers.find((q: { questionId: string }) => q.questionId === 'lines_of_enquiry').cases,
    ).toBe(3);
    const csv = await readFile(path.join(workDir, `${sampleId}-report.csv`), 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe('section,key,metric,value');
    expect(csv).toContain('estimate,overall,rate,');
    expect(await readFile(path.join(workDir, `${sampleId}-report.html`), 'utf8')).toContain('<svg');
  });
});

describe('recommendations', () => {
  it('are tracked to closure and chased by the sweep when overdue', async () => {
    const listed = await stack.api('GET', '/recommendations', { as: 'chair' });
    const items = listed.body.items as {
      recommendationId: string;
      status: string;
      dueDate: string;
      source: { findingIds?: string[]; moderation?: boolean };
    }[];
    expect(items.map((item) => item.status)).toEqual(['open', 'proposed']);
    expect(items[1]?.source.findingIds).toHaveLength(2);
    const [late] = items;
    await stack.documents.send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: `RECOMMENDATION#${late?.recommendationId}`, sk: 'RECOMMENDATION' },
        UpdateExpression: 'SET dueDate = :past',
        ExpressionAttributeValues: { ':past': '2026-01-31' },
      }),
    );
    const [executionArn] = await stack.runtime.scheduler.fire('SweepSchedule');
    const sweep = await stack.runtime.stepFunctions.waitForExecution(String(executionArn));
    expect(sweep.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(sweep.output)).overdueRecommendations.overdue).toEqual([late?.recommendationId]);
    const after = (await stack.api('GET', '/recommendations', { as: 'auditor' })).body.items as {
      recommendationId: string;
      status: string;
    }[];
    expect(after.find((item) => item.recommendationId === late?.recommendationId)?.status).toBe('overdue');
    const notifications = await stack.api('GET', '/notifications', { as: 'chair' });
    expect(notifications.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'recommendation-overdue', recommendationId: late?.recommendationId }),
      ]),
    );
    const otherChair = await stack.runtime.tokenFor('chair', { sub: 'demo-another-chair' });
    expect((await stack.api('GET', '/recommendations', { token: otherChair })).body.items).toEqual([]);
    const notTheirs = await stack.api('POST', `/recommendations/${late?.recommendationId}/closure`, {
      token: otherChair,
      body: { evidence: 'not mine to close' },
    });
    expect(notTheirs.status).toBe(404);
    const cli = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
    const overdueList = await runCli(['recommendations', 'list', '--status', 'overdue'], cli);
    expect(overdueList.code, overdueList.stderr).toBe(0);
    expect(overdueList.stdout).toContain(String(late?.recommendationId));
    expect(overdueList.stdout).toContain('OVERDUE');
    const closedByCli = await runCli(
      [
        'recommendations',
        'close',
        String(late?.recommendationId),
        '--evidence',
        'Supervision checklist issued; see force order 12/2027',
      ],
      cli,
    );
    expect(closedByCli.code, closedByCli.stderr).toBe(0);
    const closed = (await stack.api('GET', '/recommendations', { as: 'chair' })).body.items as Record<
      string,
      unknown
    >[];
    expect(closed.find((item) => item.recommendationId === late?.recommendationId)).toMatchObject({
      status: 'closed',
      closedBy: 'demo-chair',
      closingEvidence: 'Supervision checklist issued; see force order 12/2027',
    });
    const again = await stack.api('POST', `/recommendations/${late?.recommendationId}/closure`, {
      as: 'chair',
      body: { evidence: 'Something else' },
    });
    expect(again.status).toBe(409);
  });
});

describe("the chair's decision on proposed recommendations", () => {
  const decide = (recommendationId: string, body: Record<string, unknown>) =>
    stack.api('POST', `/recommendations/${recommendationId}/decision`, { as: 'chair', body });
  const proposed = async () =>
    (
      (await stack.api('GET', '/recommendations', { as: 'chair' })).body.items as Record<string, unknown>[]
    ).filter((item) => item.status === 'proposed');

  it('tracks only what the chair accepts, merges or drops the rest with the decision kept', async () => {
    const [grouped] = await proposed();
    const id = String(grouped?.recommendationId);
    const early = await stack.api('POST', `/recommendations/${id}/closure`, {
      as: 'chair',
      body: { evidence: 'done before it was accepted' },
    });
    expect(early.status).toBe(409);
    expect(String(early.body.message)).toContain('is proposed');
    const pastDue = await decide(id, { decision: 'accept', dueDate: '2020-01-31' });
    expect(pastDue.status).toBe(400);
    expect(pastDue.body.issues).toEqual([expect.objectContaining({ field: 'body.dueDate' })]);
    const accepted = await decide(id, { decision: 'accept', owner: 'Head of Public Protection' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({
      status: 'open',
      owner: 'Head of Public Protection',
      text: grouped?.text,
      decidedBy: 'demo-chair',
    });
    expect((await decide(id, { decision: 'accept', owner: 'Head of Public Protection' })).status).toBe(200);
    expect((await decide(id, { decision: 'drop', reason: 'changed my mind about it' })).status).toBe(409);

    // More proposals on the case, as another sitting's findings would make them.
    const { recordRecommendations } = await import('../../shared/recommendations/recommendations.ts');
    const proposal = (text: string) => ({ text, owner: 'Head of PPU', dueDate: '2096-06-30' });
    const findings = [
      { findingId: 'fnd_one', recommendations: [proposal('Audit bail decisions'), proposal('Train on VRR')] },
      {
        findingId: 'fnd_two',
        recommendations: [proposal('audit  bail decisions'), proposal('Train staff on VRR')],
      },
    ] as unknown as Parameters<typeof recordRecommendations>[2];
    await recordRecommendations(
      String(grouped?.caseId),
      SITTING,
      findings,
      undefined,
      new Date().toISOString(),
    );
    const more = await proposed();
    expect(more.map((item) => item.text).sort()).toEqual([
      'Audit bail decisions',
      'Train on VRR',
      'Train staff on VRR',
    ]);
    const byText = (text: string) => String(more.find((item) => item.text === text)?.recommendationId);
    expect(more.find((item) => item.text === 'Audit bail decisions')?.source).toEqual({
      findingIds: ['fnd_one', 'fnd_two'],
    });
    const intoItself = await decide(byText('Train on VRR'), {
      decision: 'merge',
      into: byText('Train on VRR'),
    });
    expect(intoItself.status).toBe(400);
    const merged = await decide(byText('Train staff on VRR'), {
      decision: 'merge',
      into: byText('Train on VRR'),
    });
    expect(merged.body).toMatchObject({ status: 'merged', mergedInto: byText('Train on VRR') });
    const noReason = await decide(byText('Audit bail decisions'), { decision: 'drop' });
    expect(noReason.status).toBe(400);
    const cli = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
    const droppedByCli = await runCli(
      [
        'recommendations',
        'decide',
        byText('Audit bail decisions'),
        '--drop',
        '--reason',
        'the force audits bail decisions already each quarter',
      ],
      cli,
    );
    expect(droppedByCli.stdout).toContain('is dropped');
    const dropped = await stack.api('GET', `/recommendations`, { as: 'chair' });
    expect(
      (dropped.body.items as Record<string, unknown>[]).find(
        (item) => item.recommendationId === byText('Audit bail decisions'),
      ),
    ).toMatchObject({ status: 'dropped', decidedBy: 'demo-chair' });
    expect((await decide(byText('Train on VRR'), { decision: 'accept' })).body.status).toBe('open');
    expect(await proposed()).toEqual([]);
    const otherChair = await stack.runtime.tokenFor('chair', { sub: 'demo-another-chair' });
    const notTheirs = await stack.api('POST', `/recommendations/${id}/decision`, {
      token: otherChair,
      body: { decision: 'accept' },
    });
    expect(notTheirs.status).toBe(404);
  });
});

describe('closing the sitting', () => {
  it('carries cases still without a conclusion to the next sitting and freezes the final report', async () => {
    const late = lateCase;
    await stack.api('POST', `/sittings/${SITTING}/agenda`, { as: 'chair', body: { caseIds: [late] } });
    await stack.routeSitting(SITTING);
    const [first, second] = await reviewersOf(stack, late);
    const firstToken = await reviewerToken(stack, String(first));
    await submitAndConclude(
      stack,
      firstToken,
      await assignedCase(stack, firstToken, late),
      findingFor(await assignedCase(stack, firstToken, late), 'consistent'),
    );
    const secondToken = await reviewerToken(stack, String(second));
    const stillOpen = await assignedCase(stack, secondToken, late);
    const packsBefore = (await stack.api('GET', `/sittings/${SITTING}/pack`, { as: 'chair' })).body.version;

    // A proposal the chair has not decided yet, as a late finding would leave one.
    const { recordRecommendations } = await import('../../shared/recommendations/recommendations.ts');
    const [undecided] = await recordRecommendations(
      nominated[0] as string,
      SITTING,
      [
        {
          findingId: 'fnd_late',
          recommendations: [
            { text: 'Review the VRR letters', owner: 'Head of Crime', dueDate: '2096-09-30' },
          ],
        },
      ] as unknown as Parameters<typeof recordRecommendations>[2],
      undefined,
      new Date().toISOString(),
    );
    const closed = await stack.api('POST', `/sittings/${SITTING}/closure`, {
      as: 'chair',
      body: { earlyReason: 'the panel met on an extra date' },
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'CLOSED',
      carriedOver: [{ caseId: late, to: NEXT_SITTING }],
      recommendationsToDecide: [undecided],
    });
    expect((await stack.api('GET', '/notifications', { as: 'cps' })).body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'nomination-carried-over', caseId: late, sittingId: NEXT_SITTING }),
      ]),
    );
    const report = await (
      await fetch(String((closed.body.report as { files: { json: string } }).files.json))
    ).json();
    expect((report as { verdicts: { carriedOver: number; concluded: number } }).verdicts).toMatchObject({
      concluded: 6,
      carriedOver: 2,
    });
    const pack = await stack.api('GET', `/sittings/${SITTING}/pack`, { as: 'chair' });
    expect(pack.body.version).toBe(Number(packsBefore) + 1);

    const tooLate = await stack.api('POST', `/assignments/${stillOpen.assignment.assignmentId}/findings`, {
      token: secondToken,
      body: findingFor(stillOpen, 'consistent'),
    });
    expect(tooLate.status).toBe(409);
    expect(
      (
        await stack.api('POST', `/sittings/${SITTING}/closure`, {
          as: 'chair',
          body: { earlyReason: 'the panel met on an extra date' },
        })
      ).status,
    ).toBe(409);
    expect((await caseRecord(late)).status).toBe('OPEN'); // waiting on the next sitting's agenda
  });
});
