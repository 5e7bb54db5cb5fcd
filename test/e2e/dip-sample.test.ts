/**
 * Dip samples end to end: requested through the API, drawn by the synthesized workflow from the
 * population index, and checked against an independent re-derivation from the stored decisions.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { rankOf, seedCommitment } from '../../shared/sampling/selection.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
let decisions: Record<string, unknown>[];
const period = { decisionDateFrom: '2025-04-01', decisionDateTo: '2026-09-30' };

beforeAll(async () => {
  stack = await startLocalStack();
  await stack.importDecisions(syntheticForceExport({ count: 400, seed: 77 }), 'admin');
  decisions = await stack.decisions();
});
afterAll(async () => stack?.close());

async function draw(body: Record<string, unknown>) {
  const created = await stack.api('POST', '/samples', { as: 'auditor', body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const sampleId = String(created.body.sampleId);
  const execution = await stack.runtime.waitForExecution('DipSample', sampleId);
  const sample = (await stack.api('GET', `/samples/${sampleId}`, { as: 'auditor' })).body;
  return { created: created.body, sample, execution };
}

/** Every review case, read straight from the table. */
async function reviewCases() {
  const { Items = [] } = await stack.documents.send(
    new QueryCommand({
      TableName: stack.runtime.physicalName('TablesMain'),
      IndexName: 'byKind',
      KeyConditionExpression: 'gsi1pk = :kind',
      ExpressionAttributeValues: { ':kind': 'CASE' },
    }),
  );
  return Items;
}

async function manifestOf(sampleId: string) {
  const links = await stack.api('GET', `/samples/${sampleId}/manifest`, { as: 'auditor' });
  return {
    json: (await (await fetch(String(links.body.json))).json()) as Record<string, unknown> & {
      picks: { decisionId: string; stratum: string; rank: string; inclusionProbability: number }[];
      strata: { key: string; populationSize: number; sampleSize: number; drawn: number }[];
      seed: string;
    },
    csv: await (await fetch(String(links.body.csv))).text(),
  };
}

const nfaOrFiled = (d: Record<string, unknown>) =>
  ['police_nfa', 'cps_nfa', 'filed'].includes(String(d.decisionType)) &&
  String(d.decisionDate) >= period.decisionDateFrom &&
  String(d.decisionDate) <= period.decisionDateTo;

describe('a simple random sample', () => {
  let result: Awaited<ReturnType<typeof draw>>;
  let manifest: Awaited<ReturnType<typeof manifestOf>>;
  const seed = 'a-seed-chosen-by-the-audit-team';

  beforeAll(async () => {
    result = await draw({ filter: period, design: { type: 'simple' }, size: 25, seed });
    manifest = await manifestOf(String(result.created.sampleId));
  });

  it('commits the seed when requested and reveals it only once drawn', () => {
    expect(result.created).toMatchObject({ status: 'REQUESTED', seedCommitment: seedCommitment(seed) });
    expect(result.created.seed).toBeUndefined();
    expect(result.sample).toMatchObject({ status: 'SELECTED', seed, drawnSize: 25 });
    expect(manifest.json.seed).toBe(seed);
  });

  it('picks the 25 lowest HMAC ranks of the NFA and filing decisions in the period', () => {
    const population = decisions.filter(nfaOrFiled);
    const expected = population
      .map((d) => ({ decisionId: String(d.decisionId), rank: rankOf(seed, String(d.decisionId)) }))
      .sort((a, b) => (a.rank < b.rank ? -1 : 1))
      .slice(0, 25);
    expect(manifest.json.picks.map(({ decisionId, rank }) => ({ decisionId, rank }))).toEqual(expected);
    expect(manifest.json.populationSize).toBe(population.length);
    expect(manifest.json.picks[0]?.inclusionProbability).toBeCloseTo(25 / population.length, 10);
    expect(manifest.json).toMatchObject({
      algorithm: 'hmac-sha256-lowest-k/1',
      seedCommitment: seedCommitment(seed),
      filter: { ...period, decisionTypes: ['police_nfa', 'cps_nfa', 'filed'] },
    });
    expect(manifest.csv.split('\n')[0]).toBe('decisionId,stratum,rank,inclusionProbability');
  });

  it('opens a review case for every pick, once, even when the request is retried', async () => {
    const again = await stack.api('POST', '/samples', {
      as: 'auditor',
      body: { filter: period, design: { type: 'simple' }, size: 25, seed },
    });
    expect(again.body.sampleId).toBe(result.created.sampleId);
    const Items = await reviewCases();
    const cases = Items.filter((item) => item.origin.sampleId === result.created.sampleId);
    expect(cases).toHaveLength(25);
    expect(new Set(cases.map((c) => c.decisionId))).toEqual(
      new Set(manifest.json.picks.map((p) => p.decisionId)),
    );
    expect(cases.every((c) => c.status === 'OPEN')).toBe(true);
  });

  it('leaves decisions under review out of the next sample', async () => {
    const next = await draw({
      label: 'second round',
      filter: period,
      design: { type: 'simple' },
      size: 25,
      seed,
    });
    expect(next.created.sampleId).not.toBe(result.created.sampleId);
    const second = await manifestOf(String(next.created.sampleId));
    const first = new Set(manifest.json.picks.map((p) => p.decisionId));
    expect(second.json.picks.some((p) => first.has(p.decisionId))).toBe(false);
    expect((second.json.exclusions as { excludedDecisionIds: string[] }).excludedDecisionIds).toEqual(
      [...first].sort(),
    );
  }, 30_000);

  it('opens no second case for a pick already under review, and records the case that reviews it', async () => {
    const { created, sample } = await draw({
      label: 'under review included',
      filter: period,
      design: { type: 'simple' },
      size: 25,
      seed,
      exclude: { underReview: false },
    });
    const Items = await reviewCases();
    expect(Items.filter((item) => item.origin.sampleId === created.sampleId)).toEqual([]);
    const firstCases = Items.filter((item) => item.origin.sampleId === result.created.sampleId)
      .map((item) => ({ decisionId: item.decisionId, caseId: item.caseId }))
      .sort((a, b) => a.decisionId.localeCompare(b.decisionId));
    expect(sample.underReviewElsewhere).toEqual(firstCases);
  }, 30_000);
});

describe('a top-up', () => {
  it('draws the next-lowest ranks with the same seed, leaving what was drawn unchanged', async () => {
    const seed = 'the-seed-for-a-sample-to-top-up';
    const { created } = await draw({
      label: 'base',
      filter: period,
      design: { type: 'simple' },
      size: 5,
      seed,
      exclude: { underReview: false },
    });
    const before = await manifestOf(String(created.sampleId));
    const topUp = await stack.api('POST', `/samples/${created.sampleId}/top-ups`, {
      as: 'auditor',
      body: { additional: 4 },
    });
    expect(topUp.status).toBe(201);
    expect(topUp.body).toMatchObject({ topUpOf: created.sampleId, seedCommitment: seedCommitment(seed) });
    await stack.runtime.waitForExecution('DipSample', String(topUp.body.sampleId));
    const after = await manifestOf(String(topUp.body.sampleId));
    const allRanks = decisions
      .filter(nfaOrFiled)
      .map((d) => rankOf(seed, String(d.decisionId)))
      .sort();
    expect(before.json.picks.map((p) => p.rank)).toEqual(allRanks.slice(0, 5));
    expect(after.json.picks.map((p) => p.rank)).toEqual(allRanks.slice(5, 9));
    expect((await manifestOf(String(created.sampleId))).json.picks).toEqual(before.json.picks);

    // The first sample's estimates and report combine its top-up's cases with its own.
    const ids = [String(created.sampleId), String(topUp.body.sampleId)];
    const opened = (await reviewCases()).filter((c) => ids.includes(String(c.origin?.sampleId)));
    const estimates = await stack.api('GET', `/samples/${ids[0]}/estimates`, { as: 'auditor' });
    expect(estimates.body).toMatchObject({ samples: ids, overall: { drawn: opened.length } });
    const made = await stack.api('POST', `/samples/${ids[0]}/reports`, { as: 'auditor' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const report = (await (await fetch(String((made.body.files as { json: string }).json))).json()) as {
      samples: { sampleId: string; role: string }[];
      cases: { caseId: string; sampleId: string }[];
    };
    expect(report.samples.map((s) => [s.sampleId, s.role])).toEqual([
      [ids[0], 'sample'],
      [ids[1], 'top-up'],
    ]);
    expect(report.cases.map((c) => [c.caseId, c.sampleId]).sort()).toEqual(
      opened.map((c) => [String(c.caseId), String(c.origin.sampleId)]).sort(),
    );
  });
});

describe('verification', () => {
  it('re-derives a drawn sample from its manifest, and names what was tampered with', async () => {
    const { created } = await draw({
      label: 'to verify',
      filter: period,
      design: { type: 'stratified', strataBy: ['decidingBody'], allocation: 'equal' },
      size: 10,
      exclude: { underReview: false },
    });
    const { json } = await manifestOf(String(created.sampleId));
    const verify = (manifest: unknown) =>
      stack.api('POST', '/sample-verifications', { as: 'auditor', body: manifest });

    const clean = await verify(json);
    expect(clean.body).toMatchObject({ matches: true, missingFromManifest: [], notInRederivation: [] });

    const swapped = structuredClone(json);
    const outsider = decisions.find(
      (d) => nfaOrFiled(d) && !json.picks.some((p) => p.decisionId === d.decisionId),
    );
    (swapped.picks[0] as { decisionId: string }).decisionId = String(outsider?.decisionId);
    const tampered = await verify(swapped);
    expect(tampered.body.matches).toBe(false);
    expect(tampered.body.notInRederivation).toEqual([outsider?.decisionId]);
    expect(tampered.body.missingFromManifest).toEqual([json.picks[0]?.decisionId]);

    const reseeded = await verify({ ...json, seed: `${json.seed}x` });
    const failed = (reseeded.body.checks as { check: string; ok: boolean }[]).filter((check) => !check.ok);
    expect(failed.map((check) => check.check)).toContain('seed matches its commitment');
  });
});

describe('a stratified sample', () => {
  it('allocates proportionally by offence group and draws each stratum from its own population', async () => {
    const { sample } = await draw({
      label: 'stratified',
      filter: period,
      design: { type: 'stratified', strataBy: ['offenceGroup'], allocation: 'proportional' },
      precision: { confidence: 0.9, margin: 0.1 },
      exclude: { underReview: false },
    });
    const { json } = await manifestOf(String(sample.sampleId));
    const population = decisions.filter(nfaOrFiled);
    const n0 = (1.6448536269514722 ** 2 * 0.25) / 0.01;
    const expectedSize = Math.ceil(n0 / (1 + (n0 - 1) / population.length));
    expect(json.picks).toHaveLength(expectedSize);
    expect((json.size as { formula: string }).formula).toMatch(/n0/);
    for (const stratum of json.strata) {
      const members = population.filter((d) => `offenceGroup=${d.offenceGroup}` === stratum.key);
      expect(stratum.populationSize).toBe(members.length);
      const picks = json.picks.filter((p) => p.stratum === stratum.key);
      expect(picks).toHaveLength(stratum.sampleSize);
      const expected = members
        .map((d) => rankOf(json.seed, String(d.decisionId)))
        .sort()
        .slice(0, stratum.sampleSize);
      expect(picks.map((p) => p.rank)).toEqual(expected);
    }
    const total = json.strata.reduce((sum, s) => sum + s.sampleSize, 0);
    expect(total).toBe(expectedSize);
  }, 30_000);
});

describe('a fixed allocation', () => {
  it('draws each quota from its stratum and refuses a quota for a stratum not in the population', async () => {
    const { sample } = await draw({
      label: 'fixed',
      filter: period,
      design: {
        type: 'stratified',
        strataBy: ['decidingBody'],
        allocation: 'fixed',
        quotas: { 'decidingBody=police': 6, 'decidingBody=cps': 3 },
      },
      exclude: { underReview: false },
    });
    expect(sample.status).toBe('SELECTED');
    expect(
      (sample.strata as { key: string; sampleSize: number }[]).map((s) => [s.key, s.sampleSize]),
    ).toEqual([
      ['decidingBody=cps', 3],
      ['decidingBody=police', 6],
    ]);
    const { sample: wrong } = await draw({
      label: 'fixed, wrong key',
      filter: period,
      design: {
        type: 'stratified',
        strataBy: ['decidingBody'],
        allocation: 'fixed',
        quotas: { 'decidingBody=court': 2 },
      },
    });
    expect(wrong).toMatchObject({ status: 'FAILED', failure: 'ValidationError' });
    expect(String(wrong.problem)).toContain('decidingBody=court');
  });

  it('estimates list a stratum that drew no case, with its weight, and refuse the overall rate naming it', async () => {
    const { sample } = await draw({
      label: 'fixed, one quota of nothing',
      filter: period,
      design: {
        type: 'stratified',
        strataBy: ['decidingBody'],
        allocation: 'fixed',
        quotas: { 'decidingBody=police': 2, 'decidingBody=cps': 0 },
      },
      exclude: { underReview: false },
    });
    expect(sample.status).toBe('SELECTED');
    const estimates = await stack.api('GET', `/samples/${sample.sampleId}/estimates`, { as: 'auditor' });
    expect(estimates.status).toBe(200);
    const strata = estimates.body.strata as {
      key: string;
      populationSize: number;
      weight: number;
      drawn: number;
    }[];
    const recorded = sample.strata as { key: string; populationSize: number }[];
    expect(strata.map((s) => [s.key, s.populationSize])).toEqual(
      recorded.map((s) => [s.key, s.populationSize]),
    );
    const cps = strata.find((s) => s.key === 'decidingBody=cps');
    expect(cps).toMatchObject({ drawn: 0, concluded: 0 });
    expect(cps?.weight).toBeCloseTo((cps?.populationSize ?? 0) / Number(sample.populationSize), 12);
    const overall = estimates.body.overall as Record<string, unknown>;
    expect(overall).toMatchObject({ populationSize: sample.populationSize, weightedBy: 'stratum size' });
    expect(overall.rate).toBeUndefined();
    expect(String(overall.refused)).toContain(`decidingBody=cps (${cps?.populationSize} decisions, weight`);
    expect(String(overall.refused)).toContain('drew no case');
    expect(String((estimates.body.unweighted as { label: string }).label)).toMatch(/^unweighted: /);
  });
});

describe('a census by custody disposal', () => {
  it('takes every NFA or filed decision of the period whose suspect was bailed without conditions', async () => {
    const { sample } = await draw({
      label: 'bailed without conditions',
      filter: { ...period, custodyDisposals: ['bailed_without_conditions'] },
      design: { type: 'census' },
      exclude: { underReview: false },
    });
    const expected = decisions
      .filter((d) => nfaOrFiled(d) && d.custodyDisposal === 'bailed_without_conditions')
      .map((d) => String(d.decisionId))
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(decisions.filter(nfaOrFiled).length);
    expect(sample).toMatchObject({ status: 'SELECTED', populationSize: expected.length });
    const { json } = await manifestOf(String(sample.sampleId));
    expect(json.picks.map((pick) => pick.decisionId).sort()).toEqual(expected);
    expect(json.filter).toMatchObject({ custodyDisposals: ['bailed_without_conditions'] });
    const verified = await stack.api('POST', '/sample-verifications', { as: 'auditor', body: json });
    expect(verified.body.matches, JSON.stringify(verified.body.checks)).toBe(true);
  });

  it('refuses a custody disposal it does not know, naming it', async () => {
    const response = await stack.api('POST', '/samples', {
      as: 'auditor',
      body: { filter: { ...period, custodyDisposals: ['bailed'] }, design: { type: 'census' } },
    });
    expect(response.status).toBe(400);
    expect((response.body.issues as { field: string }[]).map((issue) => issue.field)).toContain(
      'body.filter.custodyDisposals.0',
    );
  });
});

describe('edge cases', () => {
  it('takes every decision when the size exceeds the population, and says so', async () => {
    const { sample } = await draw({
      filter: { ...period, offenceGroups: ['malicious_communications'], decidingBodies: ['cps'] },
      design: { type: 'simple' },
      size: 5000,
      exclude: { underReview: false },
    });
    expect(sample.status).toBe('SELECTED');
    expect(sample.drawnSize).toBe(sample.populationSize);
    expect(String(sample.sizeNote)).toContain('every decision is taken');
  });

  it('draws nothing from an empty population and says why', async () => {
    const { sample, execution } = await draw({
      filter: { decisionDateFrom: '2019-01-01', decisionDateTo: '2019-12-31' },
      design: { type: 'simple' },
      size: 10,
    });
    expect(execution.status).toBe('SUCCEEDED');
    expect(sample).toMatchObject({ status: 'EMPTY_POPULATION', populationSize: 0 });
    expect(String(sample.failure)).toContain('No decision matches the filter');
    expect((await stack.api('GET', `/samples/${sample.sampleId}/manifest`, { as: 'auditor' })).status).toBe(
      404,
    );
  });

  it.each([
    [{ precision: { confidence: 1, margin: 0.05 } }, 'body.precision.confidence'],
    [{ precision: { confidence: 0.95, margin: 0 } }, 'body.precision.margin'],
    [{ size: 10, filter: { ...period, offenceGroups: ['burglary'] } }, 'body.filter.offenceGroups.0'],
    [{ size: 10, precision: { confidence: 0.95, margin: 0.05 } }, 'body.size'],
    [{ size: 10, design: { type: 'stratified', allocation: 'equal' } }, 'body.design.strataBy'],
    [{ precision: { confidence: 0.95, margin: 1e-300 } }, 'body.precision.margin'],
    [{ precision: { confidence: 0.95, margin: 0.05, expected: 0 } }, 'body.precision.expected'],
    [{ precision: { confidence: 0.95, margin: 0.05, expected: 1 } }, 'body.precision.expected'],
  ])('refuses %j naming %s', async (override, field) => {
    const response = await stack.api('POST', '/samples', {
      as: 'auditor',
      body: { filter: period, design: { type: 'simple' }, ...override },
    });
    expect(response.status).toBe(400);
    expect((response.body.issues as { field: string }[]).map((issue) => issue.field)).toContain(field);
  });
});

describe('the sample-size calculator', () => {
  it('gives the textbook size with the finite population correction, and names bad parameters', async () => {
    const response = await stack.api('GET', '/sample-size?confidence=0.95&margin=0.05&population=1000', {
      as: 'auditor',
    });
    expect(response.body).toMatchObject({ n: 278 });
    const bad = await stack.api('GET', '/sample-size?confidence=1.5&margin=0.05', { as: 'auditor' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([
      { field: 'query.confidence', reason: 'must be between 0 and 1 (received "1.5")' },
    ]);
  });

  it.each([
    ['confidence=0.95&margin=1e-300', 'query.margin', /too small: n0 = z²·p\(1−p\)\/e² would exceed/],
    ['confidence=0.95&margin=1e-300&population=1000', 'query.margin', /margin must be at least 1\.03e-8/],
    ['confidence=0.95&margin=0.05&expected=0', 'query.expected', /gives a sample of 0 decisions/],
    ['confidence=0.95&margin=0.05&expected=1&population=1', 'query.expected', /strictly between 0 and 1/],
  ])('refuses %s with a 400 naming %s, never a null or a 500', async (query, field, reason) => {
    const response = await stack.api('GET', `/sample-size?${query}`, { as: 'auditor' });
    expect(response.status).toBe(400);
    const issues = response.body.issues as { field: string; reason: string }[];
    expect(issues.map((issue) => issue.field)).toEqual([field]);
    expect(issues[0]?.reason).toMatch(reason);
  });
});
