/**
 * `scrutineer sample …` against the whole local system: the command runs as a child process, the
 * system in this one, with a synthetic force export imported to sample from.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { type CliRun, runCli } from './run-cli.ts';

const PERIOD = ['--from', '2025-01-01', '--to', '2026-12-31'];
const SEED = 'a-seed-chosen-for-the-cli-tests';
const SIZE = 20;

let stack: LocalStack;
let workDir: string;
/** Local sign-in through the issuer, so the sample commands' own default user (the auditor) applies. */
let viaIssuer: Record<string, string>;

beforeAll(async () => {
  [stack, workDir] = await Promise.all([
    startLocalStack(),
    mkdtemp(path.join(os.tmpdir(), 'scrutineer-cli-sample-')),
  ]);
  viaIssuer = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
  await stack.importDecisions(syntheticForceExport({ count: 300, seed: 5150 }), 'admin');
  // The demo auditors, as reviewers, for the audit review round.
  await seedDemoPanel();
});
afterAll(async () => {
  await stack?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const sampleIdIn = (text: string) => /smp_[0-9a-z]{26}/.exec(text)?.[0] ?? '';

interface ManifestFile {
  sampleId: string;
  seed: string;
  picks: { decisionId: string; stratum: string; rank: string }[];
}

describe('a simple sample drawn, shown, verified and estimated', () => {
  let created: CliRun;
  let sampleId: string;
  let manifestFile: string;
  let manifest: ManifestFile;

  beforeAll(async () => {
    created = await runCli(
      ['sample', 'create', ...PERIOD, '--size', String(SIZE), '--seed', SEED, '--out', workDir],
      viaIssuer,
    );
    sampleId = sampleIdIn(created.stdout);
    manifestFile = path.join(workDir, `${sampleId}.manifest.json`);
    manifest = JSON.parse(await readFile(manifestFile, 'utf8').catch(() => '{}')) as ManifestFile;
  });

  it('prints the id and seed commitment, follows the draw, sums it up and saves the manifest', async () => {
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^Requested sample smp_\w+\nSeed commitment [0-9a-f]{64} /);
    expect(created.stderr).toContain(`Drawing sample ${sampleId}…`);
    expect(created.stderr).toContain(`Sample ${sampleId}: SELECTED`);
    expect(created.stdout).toContain('status           SELECTED');
    expect(created.stdout).toContain(`size             ${SIZE} requested, ${SIZE} drawn`);
    expect(created.stdout).toContain(`seed             ${SEED}`);
    expect(created.stdout).toMatch(/population {7}\d+ decisions/);
    expect(created.stdout).toMatch(
      new RegExp(`strata\\n.*inclusion probability\\n {2}all\\s+\\d+\\s+${SIZE}\\s`),
    );
    expect(created.stdout).toMatch(
      /manifest links \(valid until \S+\)\n {2}json {2}http\S+\n {2}csv {3}http\S+/,
    );
    expect(created.stdout).toContain(`Saved the manifest to ${manifestFile} and `);

    expect(manifest).toMatchObject({ sampleId, seed: SEED });
    expect(manifest.picks).toHaveLength(SIZE);
    const csv = await readFile(path.join(workDir, `${sampleId}.manifest.csv`), 'utf8');
    expect(csv.trimEnd().split('\n')).toHaveLength(SIZE + 1);
  });

  it('verifies the saved manifest against the population', async () => {
    const run = await runCli(['sample', 'verify', manifestFile], viaIssuer);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('✓ seed matches its commitment');
    expect(run.stdout).toContain('✓ picks re-derived from the population');
    expect(run.stdout).not.toContain('✗');
    expect(run.stdout).toContain('The manifest is the sample of record, and re-derives from its population.');
  });

  it('finds a tampered manifest out and names the picks that differ', async () => {
    const tampered = structuredClone(manifest);
    const [first] = tampered.picks;
    const original = first?.decisionId;
    if (first) first.decisionId = 'dec_invented_by_someone_else';
    const tamperedFile = path.join(workDir, 'tampered.json');
    await writeFile(tamperedFile, JSON.stringify(tampered));

    const run = await runCli(['sample', 'verify', tamperedFile], viaIssuer);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ every rank is HMAC-SHA256(seed, decisionId): 1 picks carry a wrong rank');
    expect(run.stdout).toContain('✗ picks re-derived from the population');
    expect(run.stdout).toContain(
      'In the manifest but not in the re-derivation (1):\n  dec_invented_by_someone_else\n',
    );
    expect(run.stdout).toContain(`In the re-derivation but missing from the manifest (1):\n  ${original}\n`);
    expect(run.stdout).toContain('The manifest does NOT match the sample of record.');

    const json = await runCli(['sample', 'verify', tamperedFile, '--json'], viaIssuer);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ matches: false, missingFromManifest: [original] });
  });

  it('shows the sample as JSON, and lists it', async () => {
    const [show, list] = await Promise.all([
      runCli(['sample', 'show', sampleId, '--json'], viaIssuer),
      runCli(['sample', 'list'], viaIssuer),
    ]);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      sampleId,
      status: 'SELECTED',
      seed: SEED,
      drawnSize: SIZE,
    });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^sample\s+label\s+status\s+requested\s+population\s+drawn\n/);
    expect(list.stdout).toMatch(new RegExp(`${sampleId}\\s+–\\s+SELECTED\\s+\\S+\\s+\\d+\\s+${SIZE}\\n`));
  });

  it('tops the sample up with the next-lowest ranks, leaving its picks alone', async () => {
    const run = await runCli(
      ['sample', 'top-up', sampleId, '--additional', '3', '--out', workDir],
      viaIssuer,
    );
    expect(run.code, run.stderr).toBe(0);
    const topUpId = sampleIdIn(run.stdout);
    expect(topUpId).not.toBe(sampleId);
    const topUp = JSON.parse(
      await readFile(path.join(workDir, `${topUpId}.manifest.json`), 'utf8'),
    ) as ManifestFile;
    expect(topUp.picks).toHaveLength(3);
    const original = new Set(manifest.picks.map((pick) => pick.decisionId));
    expect(topUp.picks.some((pick) => original.has(pick.decisionId))).toBe(false);
    expect(topUp.picks.every((pick) => pick.rank > (manifest.picks.at(-1)?.rank ?? ''))).toBe(true);
  });

  it('says no estimate can be made before any case concludes, counting the top-up with the sample', async () => {
    const run = await runCli(['sample', 'estimates', sampleId], viaIssuer);
    expect(run.code, run.stderr).toBe(0);
    const drawn = SIZE + 3;
    expect(run.stdout).toMatch(new RegExp(`overall\\s+\\d+\\s+${drawn}\\s+0\\s+0\\s+–\\s+–\\s+–\\n`));
    expect(run.stdout).toMatch(
      new RegExp(
        `no overall rate: no estimate of the population's rate until every stratum has a concluded case: all \\(\\d+ decisions, weight 100%\\) has none of its ${drawn} concluded`,
      ),
    );
  });
});

describe('sample review', () => {
  it("opens an audit review round of the sample's cases and routes them to the auditors", async () => {
    const created = await runCli(
      ['sample', 'create', ...PERIOD, '--size', '3', '--label', 'round'],
      viaIssuer,
    );
    expect(created.code, created.stderr).toBe(0);
    const sampleId = sampleIdIn(created.stdout);
    const deadline = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const run = await runCli(
      ['sample', 'review', sampleId, '--auditors', 'rev_alex,rev_avery', '--deadline', deadline],
      viaIssuer,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `Audit review round sit_${sampleId}_r1: 3 cases (3 added now), findings due ${deadline}.`,
    );
    const refused = await runCli(
      ['sample', 'review', sampleId, '--auditors', 'rev_morgan', '--deadline', deadline, '--per-case', '1'],
      viaIssuer,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('body.auditorReviewerIds.0');
  });
});

describe('sample create refused or finding nothing', () => {
  it('names the field the API refuses', async () => {
    const run = await runCli(
      ['sample', 'create', ...PERIOD, '--confidence', '0.95', '--margin', '0'],
      viaIssuer,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .* \(400 ValidationError\)\n/);
    expect(run.stderr).toContain('body.precision.margin: must be greater than 0');
    expect(run.stdout).toBe('');
  });

  it('says why a draw failed in words, not only the name of the error', async () => {
    const run = await runCli(
      [
        'sample',
        'create',
        ...PERIOD,
        '--strata',
        'decidingBody',
        '--allocation',
        'fixed',
        '--quota',
        'decidingBody=nowhere:3',
      ],
      viaIssuer,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /error: sample smp_\w+ FAILED: ValidationError: There is a quota for stratum decidingBody=nowhere, which is not in the population/,
    );
  });

  it('fails over a period without decisions, saying so', async () => {
    const run = await runCli(
      ['sample', 'create', '--from', '2019-01-01', '--to', '2019-12-31', '--size', '10'],
      viaIssuer,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: sample smp_\w+ EMPTY_POPULATION: No decision matches the filter/);
  });

  it('prints only the id with --no-wait', async () => {
    const run = await runCli(
      [
        'sample',
        'create',
        ...PERIOD,
        '--strata',
        'decidingBody',
        '--allocation',
        'equal',
        '--size',
        '6',
        '--no-wait',
      ],
      viaIssuer,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^smp_[0-9a-z]{26}\n$/);
    expect(run.stderr).toContain(`scrutineer sample show ${run.stdout.trim()}`);
  });
});

describe('sample size and verify without a sample', () => {
  /** Nothing listens here: `sample size` is arithmetic and must not need the stack. */
  const noStack = { SCRUTINEER_API_URL: 'http://127.0.0.1:9', SCRUTINEER_ISSUER_URL: 'http://127.0.0.1:9' };

  it('gives the size with the finite population correction and the formula, with no stack running', async () => {
    const run = await runCli(
      ['sample', 'size', '--confidence', '0.95', '--margin', '0.05', '--population', '1000'],
      noStack,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^n = 278\n {2}n0 = 384\.1459 before the finite population correction\n/);
    expect(run.stdout).toContain('n = n0 / (1 + (n0 − 1)/N)');
    const json = await runCli(
      ['sample', 'size', '--confidence', '0.95', '--margin', '0.05', '--json'],
      noStack,
    );
    const api = await stack.api('GET', '/sample-size?confidence=0.95&margin=0.05', { as: 'auditor' });
    expect(JSON.parse(json.stdout)).toEqual(api.body);
  });

  it('refuses a margin too small for any sample and an expected rate of 0, saying why', async () => {
    const tiny = await runCli(['sample', 'size', '--confidence', '0.95', '--margin', '1e-300'], noStack);
    expect(tiny.code).toBe(1);
    expect(tiny.stderr).toContain('margin: is too small: n0 = z²·p(1−p)/e² would exceed 9007199254740991');
    expect(tiny.stdout).toBe('');
    const zero = await runCli(
      ['sample', 'size', '--confidence', '0.95', '--margin', '0.05', '--expected', '0'],
      noStack,
    );
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('expected: must be strictly between 0 and 1');
  });

  it('says when the manifest file is not there', async () => {
    const run = await runCli(['sample', 'verify', path.join(workDir, 'nothing.json')], viaIssuer);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('There is no file');
  });
});
