/**
 * The steps of the dip-sample workflow (workflows/dip-sample.ts). Every step can be retried: the
 * population is counted once into a listing that the selection reads; selections are pure
 * functions of that listing, the committed seed and the design; the manifest and the listing are
 * written with the same bytes every time; review cases have deterministic ids, and a decision's
 * claim lets only one of them be under review. One sample draws at a time (the draw lease in
 * sample-store.ts), from counting to opening its cases.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { s3 } from '../aws-clients.ts';
import { type CaseOpened, openCaseOnce } from '../cases/case-store.ts';
import { ENV, requireEnv } from '../environment.ts';
import { ValidationError } from '../errors.ts';
import { sha256Hex } from '../evidence/manifest.ts';
import { deterministicId } from '../ids.ts';
import { planDraw } from './draw-plan.ts';
import { excludedDecisions, populationEntries } from './population.ts';
import {
  groupByStratum,
  type ListedDecision,
  listingToDrawFrom,
  POPULATION_COLUMNS,
  populationCsv,
} from './population-listing.ts';
import { type SampleRecord, StratumSummarySchema, stratumKey } from './sample.ts';
import {
  acquireDrawLease,
  getStoredSample,
  listSampleRecords,
  releaseDrawLease,
  updateSample,
} from './sample-store.ts';
import { LowestRanked, type RankedDecision, SELECTION_ALGORITHM } from './selection.ts';

export const POPULATION_HASH_ALGORITHM = 'sum of SHA-256(decisionId) over the stratum, modulo 2^256, hex';
/** 2: the population listing, the record's hashes of both files, and a top-up's link to its first sample. */
export const MANIFEST_VERSION = 2;
export const TOP_UP_RULE =
  'drawn from the population listing of the sample it tops up, less every decision that sample and its ' +
  'earlier top-ups picked: the next-lowest ranks of that population under the same seed';

export const SampleWorkflowInputSchema = z.object({
  sampleId: z.string(),
  requestedBy: z.object({ subject: z.string(), roles: z.array(z.string()) }),
  execution: z.object({ id: z.string(), startTime: z.string() }),
});
export type SampleWorkflowInput = z.infer<typeof SampleWorkflowInputSchema>;

export const PopulationCountSchema = z.object({
  populationSize: z.number().int().nonnegative(),
  requestedSize: z.number().int().nonnegative(),
  sizeFormula: z.string().optional(),
  sizeNote: z.string().optional(),
  excludedKey: z.string(),
  strata: z.array(StratumSummarySchema),
});
export type PopulationCount = z.infer<typeof PopulationCountSchema>;

export const SelectStratumInputSchema = z.object({
  sampleId: z.string(),
  stratum: StratumSummarySchema,
});

export const StratumSelectionSchema = z.object({
  key: z.string(),
  drawn: z.number().int(),
  picksKey: z.string(),
});

export const WriteManifestInputSchema = SampleWorkflowInputSchema.extend({
  count: PopulationCountSchema,
  selections: z.array(StratumSelectionSchema),
});

export const OpenCasesInputSchema = WriteManifestInputSchema.extend({
  manifest: z.object({ manifestKey: z.string(), drawn: z.number().int() }),
});

const workKey = (sampleId: string, name: string) => `samples/${sampleId}/work/${name}`;
const populationWorkKey = (sampleId: string) => workKey(sampleId, 'population.json');
export const manifestKey = (sampleId: string, extension: 'json' | 'csv') =>
  `samples/${sampleId}/manifest.${extension}`;
export const populationKey = (sampleId: string) => `samples/${sampleId}/population.csv`;

async function putJson(bucket: string, key: string, value: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(value),
      ContentType: 'application/json',
    }),
  );
}

async function getJson<T>(bucket: string, key: string): Promise<T> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await object.Body?.transformToString('utf8')) ?? 'null') as T;
}

/** The eligible population of a draw: its decision ids per stratum (sorted), and what was left out. */
export interface DrawPopulation {
  readonly strata: Readonly<Record<string, string[]>>;
  readonly excluded: string[];
}

async function picksOfSamples(sampleIds: readonly string[]): Promise<string[]> {
  const bucket = requireEnv(ENV.evidenceBucket);
  const picks = await Promise.all(
    sampleIds.map(async (sampleId) => {
      const { record } = await getStoredSample(sampleId);
      if (!record.manifestKey) return [];
      const manifest = await getJson<{ picks: { decisionId: string }[] }>(bucket, record.manifestKey);
      return manifest.picks.map((pick) => pick.decisionId);
    }),
  );
  return picks.flat();
}

/**
 * A fresh sample's population: the decisions the filter selects from the population index, less
 * those under review (read from the cases, and, for draws released in the last minutes whose
 * cases the index may not show yet, from their manifests) and those reviewed recently.
 */
async function eligiblePopulation(
  record: SampleRecord,
  recentDraws: readonly string[],
): Promise<DrawPopulation> {
  const { request } = record;
  const excluded = new Set([
    ...(await excludedDecisions(request.exclude, new Date(record.requestedAt))),
    ...(request.exclude.underReview ? await picksOfSamples(recentDraws) : []),
  ]);
  const rows: ListedDecision[] = [];
  for await (const entry of populationEntries(request.filter)) {
    if (!excluded.has(entry.decisionId)) {
      rows.push({ stratum: stratumKey(entry, request.design.strataBy), decisionId: entry.decisionId });
    }
  }
  return { strata: groupByStratum(rows), excluded: [...excluded].sort() };
}

/**
 * A top-up's population: the population its first sample was drawn from, as listed in the
 * evidence bucket when it was drawn, less every decision the first sample and its top-ups drawn
 * so far picked. So it takes exactly the next-lowest ranks of that population, whatever was
 * imported or reviewed since.
 */
async function topUpPopulation(
  record: SampleRecord,
  recentDraws: readonly string[],
): Promise<DrawPopulation> {
  const parentId = record.topUpOf as string;
  const { record: parent } = await getStoredSample(parentId);
  const listing = await listingToDrawFrom(parent);
  const recent = await Promise.all(recentDraws.map((sampleId) => getStoredSample(sampleId)));
  const earlierTopUps = [...(await listSampleRecords(1000)), ...recent.map(({ record: r }) => r)]
    .filter((sample) => sample.topUpOf === parentId && sample.sampleId !== record.sampleId)
    .filter((sample) => sample.status === 'SELECTED')
    .map((sample) => sample.sampleId);
  const drawnBefore = new Set(await picksOfSamples([parentId, ...new Set(earlierTopUps)]));
  return {
    strata: groupByStratum(listing.filter((row) => !drawnBefore.has(row.decisionId))),
    excluded: [...drawnBefore].sort(),
  };
}

/**
 * Counts the population per stratum (with the order-independent hash of each stratum), records it
 * and what was excluded, and allocates the sample. The draw lease is taken first and held until
 * the cases are open; an empty population ends here and gives it back.
 */
export async function countPopulation(input: SampleWorkflowInput): Promise<PopulationCount> {
  const { record } = await getStoredSample(input.sampleId);
  const { request } = record;
  const recentDraws = await acquireDrawLease(input.sampleId);
  const bucket = requireEnv(ENV.reportsBucket);
  const population = record.topUpOf
    ? await topUpPopulation(record, recentDraws)
    : await eligiblePopulation(record, recentDraws);
  const excludedKey = workKey(input.sampleId, 'excluded.json');
  await putJson(bucket, excludedKey, population.excluded);
  await putJson(bucket, populationWorkKey(input.sampleId), population.strata);

  const populationSize = Object.values(population.strata).reduce((sum, ids) => sum + ids.length, 0);
  if (populationSize === 0) {
    await updateSample(input.sampleId, {
      status: 'EMPTY_POPULATION',
      populationSize: 0,
      failure: 'No decision matches the filter (after exclusions): nothing was drawn',
    });
    await releaseDrawLease(input.sampleId);
    return { populationSize: 0, requestedSize: 0, excludedKey, strata: [] };
  }
  try {
    return { ...planDraw(request, population.strata), excludedKey };
  } catch (error) {
    // Say why on the sample, then fail the workflow (which records the error's name).
    if (error instanceof ValidationError) await updateSample(input.sampleId, { problem: error.message });
    throw error;
  }
}

/** The lowest-ranked decisions of one stratum of the counted population under the committed seed, written to S3. */
export async function selectStratum(input: z.infer<typeof SelectStratumInputSchema>) {
  const { seed } = await getStoredSample(input.sampleId);
  const bucket = requireEnv(ENV.reportsBucket);
  const population = await getJson<Record<string, string[]>>(bucket, populationWorkKey(input.sampleId));
  const lowest = new LowestRanked(seed, input.stratum.sampleSize);
  for (const decisionId of population[input.stratum.key] ?? []) lowest.add(decisionId);
  const picks = lowest.result();
  const stratumFile = createHash('sha256').update(input.stratum.key).digest('hex').slice(0, 16);
  const picksKey = workKey(input.sampleId, `picks-${stratumFile}.json`);
  await putJson(bucket, picksKey, picks);
  return { key: input.stratum.key, drawn: picks.length, picksKey };
}

export interface ManifestPick extends RankedDecision {
  readonly stratum: string;
  readonly inclusionProbability: number;
}

async function picksOf(input: z.infer<typeof WriteManifestInputSchema>): Promise<ManifestPick[]> {
  const bucket = requireEnv(ENV.reportsBucket);
  const picks: ManifestPick[] = [];
  for (const selection of [...input.selections].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const stratum = input.count.strata.find((candidate) => candidate.key === selection.key);
    for (const pick of await getJson<RankedDecision[]>(bucket, selection.picksKey)) {
      picks.push({
        ...pick,
        stratum: selection.key,
        inclusionProbability: stratum?.inclusionProbability ?? 0,
      });
    }
  }
  return picks;
}

/**
 * A top-up's link to its first sample: what it was drawn from, and per stratum the first sample's
 * population with the inclusion probability of the first sample and its top-ups together.
 */
async function topUpOf(
  record: SampleRecord,
  strata: PopulationCount['strata'],
  picks: readonly ManifestPick[],
) {
  if (!record.topUpOf) return undefined;
  const { record: parent } = await getStoredSample(record.topUpOf);
  const first = new Map((parent.strata ?? []).map((stratum) => [stratum.key, stratum.populationSize]));
  return {
    of: record.topUpOf,
    parentManifestSha256: parent.manifestSha256,
    parentPopulationSha256: parent.populationSha256,
    rule: TOP_UP_RULE,
    strata: strata.map((stratum) => {
      const firstSize = first.get(stratum.key) ?? stratum.populationSize;
      const drawnNow = picks.filter((pick) => pick.stratum === stratum.key).length;
      const drawnBefore = firstSize - stratum.populationSize;
      return {
        key: stratum.key,
        firstPopulationSize: firstSize,
        drawnBefore,
        combinedInclusionProbability: (drawnBefore + drawnNow) / firstSize,
      };
    }),
  };
}

/**
 * The manifest: everything needed to re-derive the sample, the seed now revealed, beside the
 * listing of the population it was drawn from. Their bytes depend only on the request, the
 * population and the execution, so a retry writes the same files; their SHA-256 go on the record.
 */
export async function writeManifest(input: z.infer<typeof WriteManifestInputSchema>) {
  const { record, seed } = await getStoredSample(input.sampleId);
  const picks = await picksOf(input);
  const work = requireEnv(ENV.reportsBucket);
  const excluded = await getJson<string[]>(work, input.count.excludedKey);
  const listing = populationCsv(
    await getJson<Record<string, string[]>>(work, populationWorkKey(input.sampleId)),
  );
  const selectedAt = input.execution.startTime;
  const drawnByStratum = new Map(input.selections.map((selection) => [selection.key, selection.drawn]));
  const topUp = await topUpOf(record, input.count.strata, picks);
  const population = {
    key: populationKey(input.sampleId),
    columns: [...POPULATION_COLUMNS],
    decisions: input.count.populationSize,
    sha256: sha256Hex(listing),
  };
  const manifest = {
    manifestVersion: MANIFEST_VERSION,
    sampleId: record.sampleId,
    ...(record.label ? { label: record.label } : {}),
    requestedBy: record.requestedBy,
    requestedAt: record.requestedAt,
    selectedAt,
    filter: record.request.filter,
    design: record.request.design,
    size: {
      requested: input.count.requestedSize,
      ...(record.request.size !== undefined ? { given: record.request.size } : {}),
      ...(record.request.precision ? { precision: record.request.precision } : {}),
      ...(input.count.sizeFormula ? { formula: input.count.sizeFormula } : {}),
      ...(input.count.sizeNote ? { note: input.count.sizeNote } : {}),
      drawn: picks.length,
    },
    exclusions: { ...record.request.exclude, excludedDecisionIds: excluded },
    ...(topUp ? { topUpOf: topUp.of, topUp } : {}),
    seedCommitment: record.seedCommitment,
    seed,
    algorithm: SELECTION_ALGORITHM,
    populationHashAlgorithm: POPULATION_HASH_ALGORITHM,
    populationSize: input.count.populationSize,
    population,
    strata: input.count.strata.map((stratum) => ({
      ...stratum,
      drawn: drawnByStratum.get(stratum.key) ?? 0,
    })),
    picks,
  };
  const manifestText = JSON.stringify(manifest);
  const bucket = requireEnv(ENV.evidenceBucket);
  const jsonKey = manifestKey(input.sampleId, 'json');
  const put = (Key: string, Body: string, ContentType: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ContentType }));
  await put(population.key, listing, 'text/csv');
  await put(jsonKey, manifestText, 'application/json');
  await put(
    manifestKey(input.sampleId, 'csv'),
    stringify(
      picks.map((pick) => [pick.decisionId, pick.stratum, pick.rank, pick.inclusionProbability]),
      { header: true, columns: ['decisionId', 'stratum', 'rank', 'inclusionProbability'] },
    ),
    'text/csv',
  );
  await updateSample(input.sampleId, {
    status: 'SELECTED',
    selectedAt,
    populationSize: input.count.populationSize,
    requestedSize: input.count.requestedSize,
    drawnSize: picks.length,
    ...(input.count.sizeNote ? { sizeNote: input.count.sizeNote } : {}),
    strata: input.count.strata,
    manifestKey: jsonKey,
    manifestSha256: sha256Hex(manifestText),
    populationKey: population.key,
    populationSha256: population.sha256,
  });
  await appendAuditEvents([
    auditEvent(
      input.requestedBy,
      {
        action: 'combine',
        recordType: 'sample',
        recordId: input.sampleId,
        detail: { populationSize: input.count.populationSize, drawn: picks.length },
      },
      input.execution.id,
      'dip-sample/WriteManifest',
    ),
  ]);
  return { manifestKey: jsonKey, drawn: picks.length };
}

/**
 * Opens a review case for every pick, once, and leaves it OPEN for routing. A pick whose decision
 * is under review already (a nomination, or a sample drawn without excluding decisions under
 * review) opens no second case: it is recorded on the sample with the case that reviews it.
 */
export async function openReviewCases(input: z.infer<typeof OpenCasesInputSchema>) {
  const picks = await picksOf(input);
  const outcomes: CaseOpened[] = [];
  for (let i = 0; i < picks.length; i += 16) {
    outcomes.push(
      ...(await Promise.all(
        picks.slice(i, i + 16).map((pick) =>
          openCaseOnce({
            caseId: deterministicId('case', input.sampleId, pick.decisionId),
            decisionId: pick.decisionId,
            origin: { kind: 'dip-sample', sampleId: input.sampleId, stratum: pick.stratum, rank: pick.rank },
            status: 'OPEN',
            openedAt: input.execution.startTime,
          }),
        ),
      )),
    );
  }
  const opened = outcomes.filter(({ outcome }) => outcome === 'opened').length;
  const alreadyOpen = outcomes.filter(({ outcome }) => outcome === 'already-open').length;
  const underReviewElsewhere = outcomes
    .filter(({ outcome }) => outcome === 'under-review')
    .map(({ reviewCase }) => ({ decisionId: reviewCase.decisionId, caseId: reviewCase.caseId }))
    .sort((a, b) => a.decisionId.localeCompare(b.decisionId));
  // Set again on a re-run, from the claims as they stand: the same picks give the same list.
  if (underReviewElsewhere.length > 0) await updateSample(input.sampleId, { underReviewElsewhere });
  // The cases are open (their claims written): the next sample may draw.
  await releaseDrawLease(input.sampleId);
  // One event per execution, whichever run of the step gets here: its counts are the sample's
  // cases (opened by this run or an earlier one) and the picks left to other cases.
  await appendAuditEvents([
    auditEvent(
      input.requestedBy,
      {
        action: 'collect',
        recordType: 'sample',
        recordId: input.sampleId,
        detail: { casesOpened: opened + alreadyOpen, underReviewElsewhere: underReviewElsewhere.length },
      },
      input.execution.id,
      'dip-sample/OpenReviewCases',
      new Date(input.execution.startTime),
      deterministicId('evt', input.execution.id, 'dip-sample/OpenReviewCases'),
    ),
  ]);
  return { opened, alreadyOpen, underReviewElsewhere: underReviewElsewhere.length };
}
