/**
 * The steps of the dip-sample workflow (workflows/dip-sample.ts). Every step can be retried: counts
 * and selections are pure functions of the population, the committed seed and the design; the
 * manifest is written with the same bytes every time; review cases have deterministic ids, and a
 * decision's claim lets only one of them be under review.
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
import { deterministicId } from '../ids.ts';
import { type Allocation, allocate } from './allocation.ts';
import { excludedDecisions, populationEntries } from './population.ts';
import { type CreateSampleRequest, StratumSummarySchema, stratumKey } from './sample.ts';
import { getStoredSample, updateSample } from './sample-store.ts';
import { LowestRanked, PopulationHash, type RankedDecision, SELECTION_ALGORITHM } from './selection.ts';
import { sampleSize } from './statistics.ts';

export const POPULATION_HASH_ALGORITHM = 'sum of SHA-256(decisionId) over the stratum, modulo 2^256, hex';

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
  excludedKey: z.string(),
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
export const manifestKey = (sampleId: string, extension: 'json' | 'csv') =>
  `samples/${sampleId}/manifest.${extension}`;

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

function allocationOf(request: CreateSampleRequest): Allocation {
  if (request.design.type === 'census') return { method: 'census' };
  if (request.design.type === 'simple') return { method: 'proportional' };
  if (request.design.allocation === 'fixed') return { method: 'fixed', quotas: request.design.quotas ?? {} };
  return { method: request.design.allocation ?? 'proportional' };
}

/**
 * The picks of the given samples that opened no case of their own, their decision being under
 * review in another case: picked all the same, so a top-up leaves them out like the others.
 */
async function picksUnderReviewElsewhere(sampleIds: readonly string[]): Promise<string[]> {
  const samples = await Promise.all(sampleIds.map((sampleId) => getStoredSample(sampleId)));
  return samples.flatMap(({ record }) => (record.underReviewElsewhere ?? []).map((pick) => pick.decisionId));
}

/**
 * Counts the population per stratum from the population index (with the order-independent hash of
 * each stratum), records what is excluded, and allocates the sample. An empty population ends here.
 */
export async function countPopulation(input: SampleWorkflowInput): Promise<PopulationCount> {
  const { record } = await getStoredSample(input.sampleId);
  const { request } = record;
  const bucket = requireEnv(ENV.reportsBucket);
  const excludeSamples = record.excludeSamples ?? [];
  const excluded = [
    ...new Set([
      ...(await excludedDecisions(request.exclude, new Date(record.requestedAt), excludeSamples)),
      ...(await picksUnderReviewElsewhere(excludeSamples)),
    ]),
  ].sort();
  const excludedKey = workKey(input.sampleId, 'excluded.json');
  await putJson(bucket, excludedKey, excluded);
  const excludedSet = new Set(excluded);

  const hashes = new Map<string, PopulationHash>();
  for await (const entry of populationEntries(request.filter)) {
    if (excludedSet.has(entry.decisionId)) continue;
    const key = stratumKey(entry, request.design.strataBy);
    const hash = hashes.get(key) ?? new PopulationHash();
    hashes.set(key, hash);
    hash.add(entry.decisionId);
  }
  const populationSize = [...hashes.values()].reduce((sum, hash) => sum + hash.count, 0);
  if (populationSize === 0) {
    await updateSample(input.sampleId, {
      status: 'EMPTY_POPULATION',
      populationSize: 0,
      failure: 'No decision matches the filter (after exclusions): nothing was drawn',
    });
    return { populationSize: 0, requestedSize: 0, excludedKey, strata: [] };
  }

  const computed = request.precision
    ? sampleSize({ ...request.precision, population: populationSize })
    : undefined;
  const allocation = allocationOf(request);
  const quotaTotal =
    allocation.method === 'fixed' ? Object.values(allocation.quotas).reduce((a, b) => a + b, 0) : 0;
  const requestedSize =
    allocation.method === 'census' ? populationSize : (request.size ?? computed?.n ?? quotaTotal);
  const strata = (await allocateOrExplain(input.sampleId, hashes, requestedSize, allocation)).map(
    (stratum) => ({ ...stratum, populationHash: (hashes.get(stratum.key) as PopulationHash).digest() }),
  );
  const drawn = strata.reduce((sum, stratum) => sum + stratum.sampleSize, 0);
  const sizeNote =
    requestedSize > populationSize
      ? `${requestedSize} requested but the population holds ${populationSize}: every decision is taken`
      : drawn < requestedSize
        ? `${requestedSize} requested; ${drawn} could be drawn within the strata's sizes`
        : undefined;
  return {
    populationSize,
    requestedSize,
    ...(computed ? { sizeFormula: computed.formula } : {}),
    ...(sizeNote ? { sizeNote } : {}),
    excludedKey,
    strata,
  };
}

async function allocateOrExplain(
  sampleId: string,
  hashes: ReadonlyMap<string, PopulationHash>,
  total: number,
  allocation: Allocation,
) {
  try {
    return allocate(
      [...hashes.entries()].map(([key, hash]) => ({ key, populationSize: hash.count })),
      total,
      allocation,
    );
  } catch (error) {
    // Say why on the sample, then fail the workflow (which records the error's name).
    if (error instanceof ValidationError) await updateSample(sampleId, { problem: error.message });
    throw error;
  }
}

/** The lowest-ranked decisions of one stratum under the committed seed, written to S3. */
export async function selectStratum(input: z.infer<typeof SelectStratumInputSchema>) {
  const { record, seed } = await getStoredSample(input.sampleId);
  const bucket = requireEnv(ENV.reportsBucket);
  const excluded = new Set(await getJson<string[]>(bucket, input.excludedKey));
  const lowest = new LowestRanked(seed, input.stratum.sampleSize, excluded);
  for await (const entry of populationEntries(record.request.filter)) {
    if (stratumKey(entry, record.request.design.strataBy) === input.stratum.key) lowest.add(entry.decisionId);
  }
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
 * The manifest: everything needed to re-derive the sample, the seed now revealed. Its bytes depend
 * only on the request, the population and the execution, so a retry writes the same file.
 */
export async function writeManifest(input: z.infer<typeof WriteManifestInputSchema>) {
  const { record, seed } = await getStoredSample(input.sampleId);
  const picks = await picksOf(input);
  const excluded = await getJson<string[]>(requireEnv(ENV.reportsBucket), input.count.excludedKey);
  const selectedAt = input.execution.startTime;
  const drawnByStratum = new Map(input.selections.map((selection) => [selection.key, selection.drawn]));
  const manifest = {
    manifestVersion: 1,
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
    seedCommitment: record.seedCommitment,
    seed,
    algorithm: SELECTION_ALGORITHM,
    populationHashAlgorithm: POPULATION_HASH_ALGORITHM,
    populationSize: input.count.populationSize,
    strata: input.count.strata.map((stratum) => ({
      ...stratum,
      drawn: drawnByStratum.get(stratum.key) ?? 0,
    })),
    picks,
  };
  const bucket = requireEnv(ENV.evidenceBucket);
  const jsonKey = manifestKey(input.sampleId, 'json');
  await putJson(bucket, jsonKey, manifest);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: manifestKey(input.sampleId, 'csv'),
      ContentType: 'text/csv',
      Body: stringify(
        picks.map((pick) => [pick.decisionId, pick.stratum, pick.rank, pick.inclusionProbability]),
        { header: true, columns: ['decisionId', 'stratum', 'rank', 'inclusionProbability'] },
      ),
    }),
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
