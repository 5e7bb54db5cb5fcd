/**
 * `scrutineer reviewers …`, `scrutineer sittings …` and `scrutineer whoami` against the whole local system with the
 * demo panel: the command runs as a child process, the system in this one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { runCli } from './run-cli.ts';

const SITTING = 'sit_2027q1';
const HEADER = 'reviewer_id,name,agency,unit,capacity_per_sitting,standing_conflicts,active';
const GOOD_ROWS = [
  'rev_sam,Sam Advocate,isva,ISVA Service East,3,DM-0012;PPU East,Y',
  'rev_kit,Kit Counsel,cps,,2,,Y',
  'rev_lou,Lou Officer,police,PPU West,4,DM-0101,N',
];
/** Line 3 of the mixed file: an agency the panel does not know, which only the API can tell. */
const BAD_AGENCY_ROW = 'rev_lee,Lee Wrong,polce,,2,,Y';
/** Line 6 of the mixed file: no name, and half a case per sitting. */
const BAD_NAME_ROW = 'rev_nameless,,academic,,2.5,,Y';

let stack: LocalStack;
let workDir: string;
/** Local sign-in through the issuer, so each command's own default user applies. */
let viaIssuer: Record<string, string>;

interface ListedReviewer {
  reviewerId: string;
  name: string;
  agency: string;
  unit?: string;
  subject?: string;
  capacityPerSitting: number;
  standingConflicts: string[];
  active: boolean;
}

beforeAll(async () => {
  [stack, workDir] = await Promise.all([
    startLocalStack(),
    mkdtemp(path.join(os.tmpdir(), 'scrutineer-cli-')),
  ]);
  await seedDemoPanel();
  viaIssuer = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
});
afterAll(async () => {
  await stack?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function csvFile(name: string, lines: readonly string[]): Promise<string> {
  const file = path.join(workDir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

async function listedReviewers(): Promise<Map<string, ListedReviewer>> {
  const run = await runCli(['reviewers', 'list', '--json'], viaIssuer);
  expect(run.code).toBe(0);
  const reviewers = JSON.parse(run.stdout) as ListedReviewer[];
  return new Map(reviewers.map((reviewer) => [reviewer.reviewerId, reviewer]));
}

describe('scrutineer reviewers import', () => {
  it('saves the good rows and names the bad lines, with the reason', async () => {
    const file = await csvFile('mixed.csv', [
      HEADER,
      GOOD_ROWS[0] ?? '',
      BAD_AGENCY_ROW,
      GOOD_ROWS[1] ?? '',
      GOOD_ROWS[2] ?? '',
      BAD_NAME_ROW,
    ]);
    const run = await runCli(['reviewers', 'import', file], viaIssuer);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Rejected \(2\):\n {2}line\s+reviewer\s+reason\n/);
    expect(run.stdout).toMatch(/\n {5}3 {2}rev_lee\s+agency: .*police/);
    expect(run.stdout).toMatch(
      /\n {5}6 {2}rev_nameless\s+name: missing; capacity_per_sitting: "2\.5" is not a whole number\n/,
    );
    expect(run.stdout).toContain(
      [
        '  rows read    5',
        '  saved        3',
        '    added      3',
        '    updated    0',
        '    unchanged  0',
        '  rejected     2',
      ].join('\n'),
    );
    expect(run.stderr).toContain('error: 2 rows of 5 rejected');

    const reviewers = await listedReviewers();
    expect(reviewers.get('rev_sam')).toEqual({
      reviewerId: 'rev_sam',
      name: 'Sam Advocate',
      agency: 'isva',
      unit: 'ISVA Service East',
      capacityPerSitting: 3,
      // The person id typed pseudonymised as imports are, so it matches; the unit read as a unit.
      standingConflicts: [expect.stringMatching(/^psn_[0-9a-z]+$/), 'unit:PPU East'],
      active: true,
    });
    expect(reviewers.get('rev_kit')).toMatchObject({
      agency: 'cps',
      capacityPerSitting: 2,
      standingConflicts: [],
    });
    expect(reviewers.get('rev_kit')?.unit).toBeUndefined();
    expect(reviewers.get('rev_lou')).toMatchObject({ agency: 'police', active: false });
    expect(reviewers.has('rev_lee')).toBe(false);
    expect(reviewers.has('rev_nameless')).toBe(false);
  });

  it('changes nothing when the good rows are imported again', async () => {
    const file = await csvFile('good.csv', [HEADER, ...GOOD_ROWS]);
    const run = await runCli(['reviewers', 'import', file, '--json'], viaIssuer);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const summary = JSON.parse(run.stdout) as { read: number; saved: { change: string }[]; rejected: [] };
    expect(summary.read).toBe(3);
    expect(summary.saved.map((row) => row.change)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(summary.rejected).toEqual([]);
  });

  it('keeps what a header leaves out, such as the sign-in of a demo reviewer', async () => {
    const before = (await listedReviewers()).get('rev_morgan');
    expect(before?.subject).toBeDefined();
    const file = await csvFile('morgan.csv', [HEADER, 'rev_morgan,Morgan Panellist,independent,,5,,Y']);
    const run = await runCli(['reviewers', 'import', file], viaIssuer);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\n {5}2 {2}rev_morgan\s+updated\n/);
    expect((await listedReviewers()).get('rev_morgan')).toMatchObject({
      subject: before?.subject,
      capacityPerSitting: 5,
    });
  });

  it('refuses a wrong header before sending anything, naming the columns', async () => {
    const file = await csvFile('wrong.csv', [
      'reviewer_id,full_name,agency,capacity,active',
      'rev_wrong,Wren Wrong,isva,2,Y',
    ]);
    const run = await runCli(['reviewers', 'import', file], viaIssuer);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`error: The header of ${file} is not a reviewer header`);
    expect(run.stderr).toContain(
      '  required column is missing: name, capacity_per_sitting, standing_conflicts\n',
    );
    expect(run.stderr).toContain('  unknown column: full_name, capacity\n');
    expect((await listedReviewers()).has('rev_wrong')).toBe(false);
  });

  it('explains a refusal by the API: a chair may list reviewers but not change them', async () => {
    const file = await csvFile('chair.csv', [HEADER, 'rev_cass,Cass Chair,independent,,2,,Y']);
    const run = await runCli(['reviewers', 'import', file, '--as', 'chair'], viaIssuer);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: Your roles do not allow this action (403 ForbiddenError)');
    expect(run.stderr).toContain('signed in as chair');
  });
});

describe('scrutineer reviewers list', () => {
  it('shows each reviewer on a line, for a chair too', async () => {
    const run = await runCli(['reviewers', 'list', '--as', 'chair'], viaIssuer);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^reviewer\s+name\s+agency\s+unit\s+capacity\s+active\s+conflicts\n/);
    expect(run.stdout).toMatch(/\nrev_sam\s+Sam Advocate\s+isva\s+ISVA Service East\s+3\s+yes\s+2\n/);
    expect(run.stdout).toMatch(/\nrev_lou\s+Lou Officer\s+police\s+PPU West\s+4\s+no\s+1\n/);
  });
});

describe('scrutineer sittings list', () => {
  it("shows the chair's sittings with their agenda against capacity", async () => {
    const run = await runCli(['sittings', 'list'], viaIssuer);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^sitting\s+panel\s+date\s+findings deadline\s+status\s+agenda\n/);
    expect(run.stdout).toMatch(
      /\nsit_2027q1\s+pan_rsp\s+\d{4}-\d\d-\d\d\s+\d{4}-\d\d-\d\d\s+PLANNED\s+0\/12\n/,
    );
  });
});

describe('scrutineer sittings reassign', () => {
  const caseIds: string[] = [];

  /** Four nominated cases on the sitting's agenda, routed to the demo reviewers. */
  beforeAll(async () => {
    await stack.importDecisions(syntheticForceExport({ count: 60, seed: 909 }), 'admin');
    for (const decision of (await stack.eligibleDecisions()).slice(0, 4)) {
      caseIds.push(String((await stack.nominate(decision.decisionId)).body.caseId));
    }
    expect(caseIds).toHaveLength(4);
    await stack.api('POST', `/sittings/${SITTING}/agenda`, { as: 'chair', body: { caseIds } });
    const routing = await stack.routeSitting(SITTING);
    expect(routing.status).toBe('SUCCEEDED');
  });

  /** Who reviews each case now, read from the table. */
  async function reviewersByCase(): Promise<Map<string, string[]>> {
    const table = stack.runtime.physicalName('TablesMain');
    const entries = await Promise.all(
      caseIds.map(async (caseId): Promise<[string, string[]]> => {
        const { Item } = await stack.documents.send(
          new GetCommand({ TableName: table, Key: { pk: `CASE#${caseId}`, sk: 'CASE' } }),
        );
        return [caseId, [...((Item?.assignedReviewers as Set<string> | undefined) ?? [])]];
      }),
    );
    return new Map(entries);
  }

  it('moves every case of a reviewer who leaves and says where each went', async () => {
    const before = await reviewersByCase();
    const load = new Map<string, number>();
    for (const reviewers of before.values()) {
      for (const reviewerId of reviewers) load.set(reviewerId, (load.get(reviewerId) ?? 0) + 1);
    }
    const [leaving = ''] = [...load].sort((a, b) => b[1] - a[1]).map(([reviewerId]) => reviewerId);
    const theirCases = [...before].filter(([, reviewers]) => reviewers.includes(leaving));
    expect(theirCases.length).toBeGreaterThan(0);

    const run = await runCli(
      ['sittings', 'reassign', SITTING, '--from', leaving, '--reason', 'left the panel'],
      viaIssuer,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^Cases of ${leaving} in ${SITTING}:\\n {2}case\\s+new reviewers\\n`),
    );
    const after = await reviewersByCase();
    for (const [caseId] of theirCases) {
      const now = after.get(caseId) ?? [];
      expect(now).not.toContain(leaving);
      const newcomers = now.filter((reviewerId) => !(before.get(caseId) ?? []).includes(reviewerId));
      expect(newcomers.length).toBeGreaterThan(0);
      expect(run.stdout).toContain(`  ${caseId}  ${newcomers.join(', ')}\n`);
    }
    expect(run.stdout).toContain(`Moved ${theirCases.length} of ${theirCases.length} cases.`);

    const again = await runCli(
      ['sittings', 'reassign', SITTING, '--from', leaving, '--reason', 'left the panel', '--json'],
      viaIssuer,
    );
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ sittingId: SITTING, fromReviewerId: leaving, moved: [] });
  });

  it('says so when the reviewer does not exist', async () => {
    const run = await runCli(
      ['sittings', 'reassign', SITTING, '--from', 'rev_nobody', '--reason', 'left the panel'],
      viaIssuer,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: There is no reviewer rev_nobody');
  });

  it('wants a reason, as a usage error', async () => {
    const run = await runCli(['sittings', 'reassign', SITTING, '--from', 'rev_eli'], viaIssuer);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--reason <text>' not specified");
  });
});

describe('scrutineer whoami', () => {
  it('signs in and shows the name and roles the API sees', async () => {
    const run = await runCli(['whoami', '--as', 'panel2'], viaIssuer);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('Robin Panellist (demo-panel2): panel_member');
  });
});
