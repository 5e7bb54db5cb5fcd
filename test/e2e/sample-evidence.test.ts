/**
 * A sample as evidence a third party can trust: verification against the sample of record (a
 * forged or doctored manifest fails with the field named), samples drawn at once that do not
 * share decisions, top-ups that take exactly the next-lowest ranks of the first population, and a
 * re-derivation from the manifest and the population listing by the script in docs/sampling.md.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { rankOf, seedCommitment } from '../../shared/sampling/selection.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
const period = { decisionDateFrom: '2025-04-01', decisionDateTo: '2026-09-30' };

interface Manifest extends Record<string, unknown> {
  sampleId: string;
  seed: string;
  seedCommitment: string;
  populationSize: number;
  size: Record<string, unknown>;
  population: { key: string; sha256: string; decisions: number };
  strata: { key: string; populationSize: number; sampleSize: number; inclusionProbability: number }[];
  picks: { decisionId: string; stratum: string; rank: string; inclusionProbability: number }[];
  topUpOf?: string;
  topUp?: { strata: { key: string; combinedInclusionProbability: number }[] };
}

beforeAll(async () => {
  stack = await startLocalStack();
  await stack.importDecisions(syntheticForceExport({ count: 300, seed: 12 }), 'admin');
});
afterAll(async () => stack?.close());

async function request(body: Record<string, unknown>) {
  const created = await stack.api('POST', '/samples', { as: 'auditor', body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return String(created.body.sampleId);
}

async function drawn(sampleId: string) {
  await stack.runtime.waitForExecution('DipSample', sampleId);
  const sample = (await stack.api('GET', `/samples/${sampleId}`, { as: 'auditor' })).body;
  expect(sample.status, JSON.stringify(sample)).toBe('SELECTED');
  return sample;
}

async function files(sampleId: string) {
  const links = await stack.api('GET', `/samples/${sampleId}/manifest`, { as: 'auditor' });
  return {
    manifestText: await (await fetch(String(links.body.json))).text(),
    population: await (await fetch(String(links.body.population))).text(),
  };
}

const manifestOf = async (sampleId: string) => JSON.parse((await files(sampleId)).manifestText) as Manifest;

const verify = async (manifest: unknown) => {
  const response = await stack.api('POST', '/sample-verifications', { as: 'auditor', body: manifest });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as {
    matches: boolean;
    checks: { check: string; ok: boolean; detail?: string }[];
    populationNow?: { unchanged: boolean };
  };
};

const failedChecks = (verification: Awaited<ReturnType<typeof verify>>) =>
  verification.checks.filter((check) => !check.ok).map((check) => check.check);

async function casesOf(sampleId: string) {
  const { Items = [] } = await stack.documents.send(
    new QueryCommand({
      TableName: stack.runtime.physicalName('TablesMain'),
      IndexName: 'byKind',
      KeyConditionExpression: 'gsi1pk = :kind',
      ExpressionAttributeValues: { ':kind': 'CASE' },
    }),
  );
  return Items.filter((item) => item.origin?.sampleId === sampleId);
}

describe('verification against the sample of record', () => {
  let manifest: Manifest;

  beforeAll(async () => {
    const sampleId = await request({
      label: 'to forge',
      filter: period,
      design: { type: 'stratified', strataBy: ['decidingBody'], allocation: 'equal' },
      size: 12,
      exclude: { underReview: false },
    });
    await drawn(sampleId);
    manifest = await manifestOf(sampleId);
  });

  it('holds for the manifest as written', async () => {
    const verification = await verify(manifest);
    expect(failedChecks(verification)).toEqual([]);
    expect(verification.matches).toBe(true);
    expect(verification.populationNow?.unchanged).toBe(true);
  });

  it('refuses a manifest re-drawn with a new seed and its own commitment', async () => {
    const seed = 'a-seed-chosen-after-the-event';
    const forged = structuredClone(manifest);
    forged.seed = seed;
    forged.seedCommitment = seedCommitment(seed);
    forged.picks = forged.picks.map((pick) => ({ ...pick, rank: rankOf(seed, pick.decisionId) }));
    const verification = await verify(forged);
    expect(verification.matches).toBe(false);
    expect(failedChecks(verification)).toEqual(
      expect.arrayContaining(['seed commitment of record', 'field seed', 'field seedCommitment']),
    );
    // Internally consistent, so the checks that look only at the manifest itself pass.
    expect(failedChecks(verification)).not.toContain('seed matches its commitment');
  });

  it('refuses a manifest whose sample does not exist', async () => {
    const verification = await verify({ ...manifest, sampleId: 'smp_no_such_sample' });
    expect(verification.matches).toBe(false);
    expect(failedChecks(verification)).toContain('sample of record');
  });

  it.each([
    [
      'strata[0].inclusionProbability',
      (m: Manifest) => ((m.strata[0] as { inclusionProbability: number }).inclusionProbability = 0.9),
    ],
    [
      'strata[0].populationSize',
      (m: Manifest) => ((m.strata[0] as { populationSize: number }).populationSize += 1),
    ],
    ['populationSize', (m: Manifest) => (m.populationSize += 5)],
    ['size.requested', (m: Manifest) => (m.size.requested = 50)],
    ['size.drawn', (m: Manifest) => (m.size.drawn = 40)],
    [
      'picks[0].stratum',
      (m: Manifest) => ((m.picks[0] as { stratum: string }).stratum = 'decidingBody=court'),
    ],
    ['topUpOf', (m: Manifest) => (m.topUpOf = 'smp_some_other_sample')],
    [
      'design.allocation',
      (m: Manifest) => ((m.design as { allocation: string }).allocation = 'proportional'),
    ],
  ])('names %s when it is changed', async (field, change) => {
    const doctored = structuredClone(manifest);
    change(doctored);
    const verification = await verify(doctored);
    expect(verification.matches).toBe(false);
    expect(failedChecks(verification)).toContain(`field ${field}`);
  });

  it('names a changed size formula, recomputed from the precision of record', async () => {
    const sampleId = await request({
      label: 'by precision',
      filter: period,
      design: { type: 'simple' },
      precision: { confidence: 0.9, margin: 0.15 },
      exclude: { underReview: false },
    });
    await drawn(sampleId);
    const own = await manifestOf(sampleId);
    expect(String(own.size.formula)).toContain(`N = ${own.populationSize}`);
    expect(failedChecks(await verify(own))).toEqual([]);
    const verification = await verify({
      ...own,
      size: { ...own.size, formula: String(own.size.formula).replace(/N = \d+/, 'N = 99999') },
    });
    expect(failedChecks(verification)).toEqual(
      expect.arrayContaining(['field size.formula', 'size.formula']),
    );
  });
});

describe('samples requested at once', () => {
  it('draw disjoint sets of decisions, each pick with its own case', async () => {
    const body = (label: string) => ({ label, filter: period, design: { type: 'simple' }, size: 40 });
    const [first, second] = await Promise.all([
      request(body('at once, first')),
      request(body('at once, second')),
    ]);
    await Promise.all([drawn(first), drawn(second)]);
    const [a, b] = await Promise.all([manifestOf(first), manifestOf(second)]);
    const inFirst = new Set(a.picks.map((pick) => pick.decisionId));
    expect(b.picks.filter((pick) => inFirst.has(pick.decisionId))).toEqual([]);
    expect(a.picks).toHaveLength(40);
    expect(b.picks).toHaveLength(40);
    for (const [sampleId, manifest] of [
      [first, a],
      [second, b],
    ] as const) {
      const cases = await casesOf(sampleId);
      expect(cases.map((c) => c.decisionId).sort()).toEqual(
        manifest.picks.map((pick) => pick.decisionId).sort(),
      );
    }
  }, 60_000);
});

describe('a top-up', () => {
  let parentId: string;
  let parent: Manifest;

  beforeAll(async () => {
    parentId = await request({
      label: 'to top up',
      filter: period,
      design: { type: 'stratified', strataBy: ['decidingBody'], allocation: 'proportional' },
      size: 10,
      seed: 'the-seed-of-a-sample-topped-up-later',
      exclude: { underReview: false },
    });
    await drawn(parentId);
    parent = await manifestOf(parentId);
  });

  it('takes the next-lowest ranks of the first population, whatever was imported since, and says so', async () => {
    // Decisions imported after the first draw are not in the population the top-up draws from.
    await stack.importDecisions(syntheticForceExport({ count: 60, seed: 99 }), 'admin');
    const response = await stack.api('POST', `/samples/${parentId}/top-ups`, {
      as: 'auditor',
      body: { additional: 6 },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const topUpId = String(response.body.sampleId);
    await drawn(topUpId);
    const topUp = await manifestOf(topUpId);
    expect(topUp.topUpOf).toBe(parentId);

    const listing = (await files(parentId)).population
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    for (const stratum of topUp.strata) {
      const ranks = listing
        .filter(([key]) => key === stratum.key)
        .map(([, id]) => rankOf(parent.seed, String(id)))
        .sort();
      const before = parent.picks.filter((pick) => pick.stratum === stratum.key).length;
      expect(topUp.picks.filter((pick) => pick.stratum === stratum.key).map((pick) => pick.rank)).toEqual(
        ranks.slice(before, before + stratum.sampleSize),
      );
      const first = parent.strata.find((s) => s.key === stratum.key);
      expect(
        topUp.topUp?.strata.find((s) => s.key === stratum.key)?.combinedInclusionProbability,
      ).toBeCloseTo((before + stratum.sampleSize) / Number(first?.populationSize), 12);
    }
    expect(topUp.picks).toHaveLength(6);
    expect(failedChecks(await verify(topUp))).toEqual([]);
    // The first sample's population has moved on; the first sample is still the one of record.
    const parentCheck = await verify(parent);
    expect(parentCheck.matches).toBe(true);
    expect(parentCheck.populationNow?.unchanged).toBe(false);
  }, 60_000);

  it('refuses more than remains, with the numbers, and a large one unless confirmed', async () => {
    const tooMany = await stack.api('POST', `/samples/${parentId}/top-ups`, {
      as: 'auditor',
      body: { additional: 100_000 },
    });
    expect(tooMany.status).toBe(409);
    expect(String(tooMany.body.message)).toContain(`of the ${parent.populationSize} decisions`);
    const large = await stack.api('POST', `/samples/${parentId}/top-ups`, {
      as: 'auditor',
      body: { additional: 201 },
    });
    if (parent.populationSize - 16 >= 201) {
      expect(large.status).toBe(400);
      expect((large.body.issues as { field: string }[]).map((issue) => issue.field)).toContain(
        'body.confirm',
      );
    } else {
      expect(large.status).toBe(409);
    }
  });
});

describe('re-derivation without Scrutineer', () => {
  it('runs the script in docs/sampling.md on the manifest and the listing, and catches a changed pick', async () => {
    const docs = await readFile(path.resolve(import.meta.dirname, '../../docs/sampling.md'), 'utf8');
    const script = /```python\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(script).toBeDefined();
    const sampleId = await request({
      label: 'for an outside check',
      filter: period,
      design: { type: 'stratified', strataBy: ['offenceGroup'], allocation: 'proportional' },
      size: 20,
      exclude: { underReview: false },
    });
    await drawn(sampleId);
    const { manifestText, population } = await files(sampleId);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rederive-'));
    await writeFile(path.join(dir, 'rederive.py'), String(script));
    await writeFile(path.join(dir, 'manifest.json'), manifestText);
    await writeFile(path.join(dir, 'population.csv'), population);
    const run = (manifest: string) =>
      promisify(execFile)('python3', [
        path.join(dir, 'rederive.py'),
        path.join(dir, manifest),
        path.join(dir, 'population.csv'),
      ]);
    const { stdout } = await run('manifest.json');
    expect(stdout).toContain('20 picks re-derived');

    const changed = JSON.parse(manifestText) as Manifest;
    const outsider = population
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[1])
      .find((id) => id && !changed.picks.some((pick) => pick.decisionId === id));
    (changed.picks[0] as { decisionId: string; rank: string }).decisionId = String(outsider);
    (changed.picks[0] as { decisionId: string; rank: string }).rank = rankOf(changed.seed, String(outsider));
    await writeFile(path.join(dir, 'changed.json'), JSON.stringify(changed));
    await expect(run('changed.json')).rejects.toMatchObject({
      stderr: expect.stringContaining('the picks do not re-derive'),
    });
  });
});
