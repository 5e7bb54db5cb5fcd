/**
 * Each role's job from the command line, against the whole local system: a reviewer fills in a
 * finding template and submits it from a file, the chair moderates the disagreement and closes
 * the sitting, an admin reads and publishes question sets, manages case files and runs the sweep.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import {
  assignedCase,
  findingFor,
  reviewersOf,
  reviewerToken,
  submitAndConclude,
} from '../support/review.ts';
import { runCli } from './run-cli.ts';

const SITTING = 'sit_2027q1';
const IN_A_YEAR = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);

let stack: LocalStack;
let workDir: string;
let env: Record<string, string>;
/** Reviewed by rev_morgan (demo user `panel`) and one reviewer the rules pick. */
let reviewedCase: string;
/** On the agenda, never reviewed: carried over when the sitting closes. */
let waitingCase: string;

const cli = (args: readonly string[]) => runCli(args, env);
const file = async (name: string, content: unknown) => {
  const target = path.join(workDir, name);
  await writeFile(target, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return target;
};

beforeAll(async () => {
  [stack, workDir] = await Promise.all([
    startLocalStack(),
    mkdtemp(path.join(os.tmpdir(), 'scrutineer-roles-')),
  ]);
  env = {
    SCRUTINEER_API_URL: stack.runtime.apiUrl,
    SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl,
    AWS_ENDPOINT_URL_SFN: stack.runtime.stepFunctionsEndpoint,
  };
  await seedDemoPanel();
  await stack.importDecisions(syntheticForceExport({ count: 120, seed: 1313 }), 'admin');
  const [first, second] = await stack.eligibleDecisions();
  reviewedCase = String((await stack.nominate(String(first?.decisionId))).body.caseId);
  waitingCase = String((await stack.nominate(String(second?.decisionId))).body.caseId);
  const agenda = await stack.api('POST', `/sittings/${SITTING}/agenda`, {
    as: 'chair',
    body: { caseIds: [reviewedCase, waitingCase] },
  });
  expect(agenda.body.added).toHaveLength(2);
  const named = await stack.api('POST', `/cases/${reviewedCase}/assignments`, {
    as: 'chair',
    body: { reviewerId: 'rev_morgan', reason: 'the demo reviewer reviews this one' },
  });
  expect(named.status, JSON.stringify(named.body)).toBe(201);
});
afterAll(async () => {
  await stack?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('a reviewer’s finding from a file', () => {
  let assignmentId: string;

  it('lists the reviewer’s assignments and shows the case with its questions', async () => {
    const list = await cli(['findings', 'list', '--as', 'panel']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^assignment\s+case\s+sitting\s+status\s+due\n/);
    assignmentId = /(asg_[0-9a-z]{26})\s+(case_\w+)/.exec(list.stdout)?.[1] ?? '';
    expect(list.stdout).toContain(`${assignmentId}  ${reviewedCase}  ${SITTING}  assigned`);

    const show = await cli(['findings', 'show', assignmentId]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`Case ${reviewedCase} (assigned, nomination) in ${SITTING}`);
    expect(show.stdout).toMatch(/Nominations\n {2}isva: victim_dissatisfied; victim consents/);
    expect(show.stdout).toContain('Question set version 1: Rape Scrutiny Panel terms of reference');
    expect(show.stdout).toContain('  lines_of_enquiry\n    Were reasonable lines of enquiry pursued');
    expect(show.stdout).toContain('(does not apply: not_applicable or leave out)');
    expect(show.stdout).not.toMatch(/crimeReference|decisionMakerId/);
    expect(show.stdout).toContain(`No finding of yours yet: scrutineer findings template ${assignmentId}`);
  });

  it('refuses a file that is not JSON, naming the file, line and column', async () => {
    const broken = await file('broken.json', '{\n  "verdict": "consistent",\n  oops\n}\n');
    const run = await cli(['findings', 'submit', assignmentId, '--file', broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^error: ${broken.replace(/[.\\]/g, '\\$&')}:3:3 is not valid JSON`),
    );
    const missing = await cli([
      'findings',
      'submit',
      assignmentId,
      '--file',
      path.join(workDir, 'nope.json'),
    ]);
    expect(missing.stderr).toContain(`There is no file ${path.join(workDir, 'nope.json')}.`);
  });

  it('prints a template the API refuses until it is filled in, and takes it filled in', async () => {
    const template = await cli(['findings', 'template', assignmentId]);
    expect(template.code, template.stderr).toBe(0);
    const finding = JSON.parse(template.stdout);
    const view = await assignedCase(stack, await reviewerToken(stack, 'rev_morgan'), reviewedCase);
    expect(Object.keys(finding.answers)).toEqual(view.questionSet.questions.map((q) => q.questionId));
    expect(finding.answers.lines_of_enquiry).toEqual({
      code: 'yes | no | partly | cannot_tell',
      rationale: '',
    });
    expect(finding).toMatchObject({ questionSetVersion: 1, verdictRationale: '', recommendations: [] });

    const unfilled = await cli([
      'findings',
      'submit',
      assignmentId,
      '--file',
      await file('unfilled.json', finding),
    ]);
    expect(unfilled.code).toBe(1);
    expect(unfilled.stderr).toContain('(400 ValidationError)');
    expect(unfilled.stderr).toMatch(/body\.answers\.lines_of_enquiry\.code/);
    expect(unfilled.stderr).toMatch(/body\.verdict/);

    for (const [questionId, answer] of Object.entries(finding.answers as Record<string, { code: string }>)) {
      if (answer.code !== 'not_applicable') {
        finding.answers[questionId] = { code: 'yes', rationale: `Seen in the file (${questionId})` };
      }
    }
    finding.verdict = 'consistent';
    finding.verdictRationale = 'The decision followed the policy';
    const submitted = await cli([
      'findings',
      'submit',
      assignmentId,
      '--as',
      'panel',
      '--file',
      await file('finding.json', finding),
      '--json',
    ]);
    expect(submitted.code, submitted.stderr).toBe(0);
    const recorded = JSON.parse(submitted.stdout);
    expect(recorded).toMatchObject({ caseId: reviewedCase, reviewerId: 'rev_morgan', version: 1 });
    expect(recorded.answers.lines_of_enquiry).toEqual({
      code: 'yes',
      rationale: 'Seen in the file (lines_of_enquiry)',
    });
    await stack.waitForExecution('ConcludeCase', recorded.findingId);
  });

  it('amends the finding from a template of what it said', async () => {
    const template = await cli(['findings', 'template', assignmentId, '--amend']);
    expect(template.code, template.stderr).toBe(0);
    const amendment = JSON.parse(template.stdout);
    expect(amendment).toMatchObject({ amendsVersion: 1, verdict: 'consistent', reason: '' });
    expect(amendment).not.toHaveProperty('findingId');
    amendment.verdict = 'appropriate_with_observations';
    amendment.reason = 'The bail conditions deserve an observation';
    const run = await cli(['findings', 'amend', assignmentId, '--file', await file('amend.json', amendment)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      `Amended ${reviewedCase}: version 2 (appropriate_with_observations) replaces version 1.\n`,
    );
  });
});

describe('the chair’s moderation and closure', () => {
  it('moderates the disagreement with recommendations from a file, and shows it with the findings', async () => {
    const [other] = (await reviewersOf(stack, reviewedCase)).filter((id) => id !== 'rev_morgan');
    const token = await reviewerToken(stack, String(other));
    const view = await assignedCase(stack, token, reviewedCase);
    expect((await submitAndConclude(stack, token, view, findingFor(view, 'inappropriate'))).status).toBe(201);

    const recommendations = await file('recommendations.json', [
      { text: 'Review bail conditions with the victim', owner: 'PPU North', dueDate: IN_A_YEAR },
    ]);
    const bad = await cli(['cases', 'moderate', reviewedCase, '--verdict', 'fine', '--reason', 'x']);
    expect(bad.code).toBe(2);
    const moderated = await cli([
      'cases',
      'moderate',
      reviewedCase,
      '--verdict',
      'appropriate_with_observations',
      '--reason',
      'The panel agreed the decision stood, with the bail observation',
      '--recommendations-file',
      recommendations,
    ]);
    expect(moderated.code, moderated.stderr).toBe(0);
    expect(moderated.stdout).toMatch(
      new RegExp(`^Moderated in ${SITTING} by \\S+ on \\S+: appropriate_with_observations\\n`),
    );
    expect(moderated.stdout).toContain('rev_morgan appropriate_with_observations');
    expect(moderated.stdout).toContain(`${other} inappropriate`);
    expect(moderated.stdout).toContain(
      `  recommendation: Review bail conditions with the victim (PPU North, due ${IN_A_YEAR})`,
    );

    const findings = await cli(['cases', 'findings', reviewedCase]);
    expect(findings.code, findings.stderr).toBe(0);
    expect(findings.stdout).toMatch(
      new RegExp(`^Case ${reviewedCase}: concluded, appropriate_with_observations\\n`),
    );
    expect(findings.stdout).toMatch(
      /rev_morgan\s+2\s+appropriate_with_observations\s+\S+ \(amends 1: The bail/,
    );
    expect(findings.stdout).toContain('reason: The panel agreed the decision stood');
    const again = await cli([
      'cases',
      'moderate',
      reviewedCase,
      '--verdict',
      'consistent',
      '--reason',
      'twice',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: Case case_\w+ was moderated on .* \(409/);
  });

  it('plans a sitting and changes its capacity, keeping what is not given', async () => {
    const planned = await cli([
      'sittings',
      'plan',
      'sit_2099q1',
      '--panel',
      'pan_rsp',
      '--date',
      '2099-03-01',
      '--deadline',
      '2099-02-20',
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toBe(
      'Planned sit_2099q1 of pan_rsp: meets 2099-03-01, findings due 2099-02-20, 0/12 cases, 2 reviewers per case (PLANNED).\n',
    );
    const changed = await cli(['sittings', 'plan', 'sit_2099q1', '--max-cases', '6', '--json']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({
      date: '2099-03-01',
      maxCases: 6,
      reviewersPerCase: 2,
    });
    const incomplete = await cli(['sittings', 'plan', 'sit_2099q2', '--date', '2099-06-01']);
    expect(incomplete.code).toBe(2);
    expect(incomplete.stderr).toContain('give its --panel, --date and --deadline');
  });

  it('closes the sitting early only with a reason, carrying the unreviewed case over', async () => {
    const refused = await cli(['sittings', 'close', SITTING]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: Sitting sit_2027q1 meets on \S+: .*earlyReason \(409 ConflictError\)/,
    );

    const closed = await cli([
      'sittings',
      'close',
      SITTING,
      '--early-reason',
      'The panel met ahead of its date',
    ]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stdout).toMatch(new RegExp(`^Closed ${SITTING} early; 1 cases carried over\\.\\n`));
    expect(closed.stdout).toContain(`  ${waitingCase}: to sit_2027q2`);
    expect(closed.stdout).toMatch(
      /Final report \S+.*\n {2}json {2}http\S+\n {2}csv {3}http\S+\n {2}html {2}http/,
    );
  });
});

describe('question sets, case files and the sweep (admin)', () => {
  it('shows the current question set and a version, and publishes the next', async () => {
    const current = await cli(['question-sets', 'show', '--as', 'panel']);
    expect(current.code, current.stderr).toBe(0);
    expect(current.stdout).toMatch(/^Question set version 1: Rape Scrutiny Panel terms of reference\n/);
    expect(current.stdout).toContain(
      ' 1. code_for_crown_prosecutors (only for decision police_nfa/cps_nfa/other)',
    );
    expect(current.stdout).toContain(
      'Verdicts: consistent, appropriate_with_observations, inappropriate, cannot_conclude',
    );
    const saved = await cli(['question-sets', 'show', '1', '--json']);
    const questionSet = JSON.parse(saved.stdout);
    expect(questionSet.version).toBe(1);

    questionSet.title = 'Terms of reference, 2027';
    const published = await cli(['question-sets', 'publish', '--file', await file('qs.json', questionSet)]);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toContain(
      `Published question set version 2 (Terms of reference, 2027), ${questionSet.questions.length} questions`,
    );
    const byPanel = await cli([
      'question-sets',
      'publish',
      '--file',
      await file('qs2.json', questionSet),
      '--as',
      'panel',
    ]);
    expect(byPanel.code).toBe(1);
    expect(byPanel.stderr).toContain('(403');
  });

  it('uploads a case file its reviewers read, and erases it', async () => {
    const content = 'Redacted statement (synthetic)';
    const statement = await file('statement.txt', content);
    const uploaded = await cli(['files', 'upload', waitingCase, statement]);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(uploaded.stdout).toBe(
      `Uploaded statement.txt to ${waitingCase}; its reviewers see it with the case.\n`,
    );
    const bucket = [...stack.runtime.template.resources.values()].find(
      (resource) => resource.type === 'AWS::S3::Bucket' && resource.logicalId.includes('CaseFiles'),
    );
    const listed = await stack.s3.send(
      new GetObjectCommand({
        Bucket: stack.runtime.template.refOf(String(bucket?.logicalId)),
        Key: `case-files/${waitingCase}/statement.txt`,
      }),
    );
    expect(await listed.Body?.transformToString()).toBe(content);
    expect(listed.ContentType).toBe('text/plain');

    const erased = await cli(['files', 'delete', waitingCase, 'statement.txt']);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toContain(createHash('sha256').update(content).digest('hex'));
    const again = await cli(['files', 'delete', waitingCase, 'statement.txt']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('(404');
  });

  it('runs the sweep on demand locally, and refuses anywhere else', async () => {
    const run = await cli(['sweep', 'run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^Running the sweep \(arn:aws:states:\S+:execution:\S+\)…/);
    expect(run.stdout).toMatch(
      /^The sweep ran:\n {2}stale imports expired: \d+.*\n {2}overdue assignments chased: \d+.*\n {2}overdue recommendations chased: \d+/,
    );
    const json = await cli(['sweep', 'run', '--json']);
    expect(Object.keys(JSON.parse(json.stdout))).toEqual(
      expect.arrayContaining(['expiredImports', 'overdueAssignments', 'overdueRecommendations']),
    );

    const byChair = await cli(['sweep', 'run', '--as', 'chair']);
    expect(byChair.code).toBe(1);
    expect(byChair.stderr).toContain('Running the sweep is for an admin');
    const deployed = await runCli(['sweep', 'run'], {
      SCRUTINEER_API_URL: 'https://api.scrutineer.example.police.uk',
      SCRUTINEER_TOKEN: 'a-token',
    });
    expect(deployed.code).toBe(1);
    expect(deployed.stderr).toContain('in AWS the sweep runs on its schedule');
  });
});
