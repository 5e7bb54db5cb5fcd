/**
 * Verifying a sample manifest against the sample of record, so that neither a forged manifest nor
 * a doctored figure stands:
 *
 * - the sample exists and was drawn; the seed matches the commitment stored when it was requested,
 *   and every rank is the seed's HMAC of its decision id;
 * - the manifest is, field for field, the one written when the sample was drawn (whose SHA-256 is
 *   on the record): every field that differs is named;
 * - from the population listing of record (its SHA-256 also on the record) every figure the
 *   manifest asserts is recomputed: each stratum's size and hash, the population size, the size
 *   requested and its formula, the allocation and inclusion probabilities, each pick's stratum,
 *   the drawn counts, and the picks themselves drawn again; a top-up's listing must be its first
 *   sample's less what was drawn before it;
 * - separately, the population as it stands now is counted again: a later import into the period
 *   shows there, without making a sound sample look forged.
 */

import { isDeepStrictEqual } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { s3 } from '../aws-clients.ts';
import { ENV, requireEnv } from '../environment.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { sha256Hex } from '../evidence/manifest.ts';
import { planDraw, stratumHashes } from './draw-plan.ts';
import { populationEntries } from './population.ts';
import { groupByStratum, parsePopulationCsv, readPopulationListing } from './population-listing.ts';
import { DesignSchema, PopulationFilterSchema, type SampleRecord, stratumKey } from './sample.ts';
import { getStoredSample } from './sample-store.ts';
import { LowestRanked, rankOf, SELECTION_ALGORITHM, seedCommitment } from './selection.ts';

export const ManifestSchema = z
  .object({
    sampleId: z.string(),
    filter: PopulationFilterSchema,
    design: DesignSchema,
    exclusions: z.object({ excludedDecisionIds: z.array(z.string()) }).loose(),
    seedCommitment: z.string(),
    seed: z.string(),
    algorithm: z.string(),
    populationSize: z.number().int(),
    size: z.object({ requested: z.number().int(), drawn: z.number().int() }).loose().optional(),
    topUpOf: z.string().optional(),
    strata: z.array(
      z
        .object({
          key: z.string(),
          populationSize: z.number().int(),
          populationHash: z.string(),
          sampleSize: z.number().int(),
          inclusionProbability: z.number().optional(),
          drawn: z.number().int().optional(),
        })
        .loose(),
    ),
    picks: z.array(
      z
        .object({
          decisionId: z.string(),
          stratum: z.string(),
          rank: z.string(),
          inclusionProbability: z.number().optional(),
        })
        .loose(),
    ),
  })
  .loose();
export type Manifest = z.infer<typeof ManifestSchema>;

export interface VerificationCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface PopulationNow {
  /** Whether the population index still holds exactly the decisions the sample was drawn from. */
  readonly unchanged: boolean;
  readonly strata: { key: string; drawnFrom: number; now: number; sameDecisions: boolean }[];
}

export interface Verification {
  readonly sampleId: string;
  readonly matches: boolean;
  readonly checks: VerificationCheck[];
  /** Picks a fresh draw from the population of record gives that the manifest does not list, and the other way round. */
  readonly missingFromManifest: string[];
  readonly notInRederivation: string[];
  /** The population as it stands now, beside the one of record (not part of `matches`). */
  readonly populationNow?: PopulationNow;
}

/** At most this many differing fields are named one by one; the rest are counted. */
const MAX_NAMED_DIFFERENCES = 40;

const shown = (value: unknown) => {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const check = (name: string, ok: boolean, detail: string): VerificationCheck =>
  ok ? { check: name, ok } : { check: name, ok, detail };

/** The paths at which two JSON values differ, e.g. `strata[1].inclusionProbability`. */
export function differences(
  given: unknown,
  expected: unknown,
  path = '',
): { path: string; given: unknown; expected: unknown }[] {
  if (isDeepStrictEqual(given, expected)) return [];
  const bothArrays = Array.isArray(given) && Array.isArray(expected);
  const bothObjects =
    !bothArrays &&
    typeof given === 'object' &&
    typeof expected === 'object' &&
    given !== null &&
    expected !== null &&
    !Array.isArray(given) &&
    !Array.isArray(expected);
  if (bothArrays) {
    const length = Math.max(given.length, expected.length);
    return Array.from({ length }, (_, i) => differences(given[i], expected[i], `${path}[${i}]`)).flat();
  }
  if (bothObjects) {
    const a = given as Record<string, unknown>;
    const b = expected as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return keys.flatMap((key) => differences(a[key], b[key], path ? `${path}.${key}` : key));
  }
  return [{ path: path || '(the manifest)', given, expected }];
}

/** The checks a manifest passes or fails on its own: algorithm, seed, ranks. */
function selfChecks(manifest: Manifest): VerificationCheck[] {
  const wrongRanks = manifest.picks.filter((pick) => rankOf(manifest.seed, pick.decisionId) !== pick.rank);
  return [
    check('algorithm', manifest.algorithm === SELECTION_ALGORITHM, `manifest uses ${manifest.algorithm}`),
    check(
      'seed matches its commitment',
      seedCommitment(manifest.seed) === manifest.seedCommitment,
      'SHA-256 of the seed is not the committed hash',
    ),
    check(
      'every rank is HMAC-SHA256(seed, decisionId)',
      wrongRanks.length === 0,
      `${wrongRanks.length} picks carry a wrong rank, e.g. ${wrongRanks[0]?.decisionId}`,
    ),
  ];
}

async function storedManifest(record: SampleRecord): Promise<{ text?: string; problem?: string }> {
  if (!record.manifestKey || !record.manifestSha256) {
    return { problem: `sample ${record.sampleId} has no manifest hash on record` };
  }
  const object = await s3
    .send(new GetObjectCommand({ Bucket: requireEnv(ENV.evidenceBucket), Key: record.manifestKey }))
    .catch((error: Error) => {
      if (error.name === 'NoSuchKey') return undefined;
      throw error;
    });
  const text = await object?.Body?.transformToString('utf8');
  if (text === undefined) return { problem: 'the manifest of record is missing from the evidence bucket' };
  if (sha256Hex(text) !== record.manifestSha256) {
    return { problem: 'the manifest in the evidence bucket is not the one whose SHA-256 is on the record' };
  }
  return { text };
}

/** Every field of the submitted manifest against the manifest of record. */
async function recordChecks(manifest: Manifest, record: SampleRecord): Promise<VerificationCheck[]> {
  const stored = await storedManifest(record);
  if (stored.text === undefined) {
    return [check('manifest of record', false, stored.problem ?? 'unreadable')];
  }
  const found = differences(manifest, JSON.parse(stored.text));
  const named = found
    .slice(0, MAX_NAMED_DIFFERENCES)
    .map((difference) =>
      check(
        `field ${difference.path}`,
        false,
        `the manifest says ${shown(difference.given)}; the sample of record says ${shown(difference.expected)}`,
      ),
    );
  const more = found.length - named.length;
  return [
    check('manifest of record', true, ''),
    ...named,
    ...(more > 0
      ? [check('further fields', false, `${more} more fields differ from the sample of record`)]
      : []),
  ];
}

interface Rederivation {
  readonly checks: VerificationCheck[];
  readonly missingFromManifest: string[];
  readonly notInRederivation: string[];
}

/** Every figure of the manifest, recomputed from the population listing of record. */
async function listingChecks(manifest: Manifest, record: SampleRecord): Promise<Rederivation> {
  const listing = await readPopulationListing(record);
  if (listing.problem || listing.text === undefined) {
    return {
      checks: [check('population listing of record', false, listing.problem ?? 'unreadable')],
      missingFromManifest: [],
      notInRederivation: [],
    };
  }
  const rows = parsePopulationCsv(listing.text);
  const strata = groupByStratum(rows);
  const stratumOf = new Map(rows.map((row) => [row.decisionId, row.stratum]));
  const checks: VerificationCheck[] = [check('population listing of record', true, '')];

  const hashes = stratumHashes(strata);
  for (const [index, stratum] of manifest.strata.entries()) {
    const hash = hashes.get(stratum.key);
    const count = hash?.count ?? 0;
    checks.push(
      check(
        `strata[${index}].populationSize (${stratum.key})`,
        count === stratum.populationSize,
        `the manifest says ${stratum.populationSize}; the listing holds ${count}`,
      ),
      check(
        `strata[${index}].populationHash (${stratum.key})`,
        (hash?.digest() ?? '') === stratum.populationHash,
        'not the hash of the decisions the listing holds for the stratum',
      ),
    );
  }
  const unlisted = [...hashes.keys()].filter((key) => !manifest.strata.some((s) => s.key === key));
  checks.push(
    check(
      'every stratum listed',
      unlisted.length === 0,
      `strata the manifest leaves out: ${unlisted.join(', ')}`,
    ),
    check(
      'populationSize',
      manifest.populationSize === rows.length,
      `the manifest says ${manifest.populationSize}; the listing holds ${rows.length}`,
    ),
  );
  const excludedListed = manifest.exclusions.excludedDecisionIds.filter((id) => stratumOf.has(id));
  checks.push(
    check(
      'no excluded decision in the population',
      excludedListed.length === 0,
      `${excludedListed.length} excluded decisions are in the listing, e.g. ${excludedListed[0]}`,
    ),
  );

  checks.push(...planChecks(manifest, record, strata));

  const wrongStratum = manifest.picks.filter((pick) => stratumOf.get(pick.decisionId) !== pick.stratum);
  checks.push(
    check(
      "every pick's stratum",
      wrongStratum.length === 0,
      `${wrongStratum.length} picks name a stratum the listing does not give them, e.g. ${wrongStratum[0]?.decisionId}`,
    ),
  );
  const probabilities = new Map(manifest.strata.map((s) => [s.key, s.inclusionProbability]));
  const wrongProbability = manifest.picks.filter(
    (pick) => pick.inclusionProbability !== probabilities.get(pick.stratum),
  );
  checks.push(
    check(
      "every pick's inclusion probability",
      wrongProbability.length === 0,
      `${wrongProbability.length} picks carry another probability than their stratum's, e.g. ${wrongProbability[0]?.decisionId}`,
    ),
  );
  checks.push(...drawnChecks(manifest));

  const rederived = new Set(
    manifest.strata.flatMap((stratum) => {
      const lowest = new LowestRanked(manifest.seed, Math.max(0, stratum.sampleSize));
      for (const id of strata[stratum.key] ?? []) lowest.add(id);
      return lowest.result().map((pick) => pick.decisionId);
    }),
  );
  const listed = new Set(manifest.picks.map((pick) => pick.decisionId));
  const missingFromManifest = [...rederived].filter((id) => !listed.has(id)).sort();
  const notInRederivation = [...listed].filter((id) => !rederived.has(id)).sort();
  checks.push(
    check(
      'picks re-derived from the population',
      missingFromManifest.length === 0 && notInRederivation.length === 0,
      `${notInRederivation.length} listed picks not re-derived, ${missingFromManifest.length} re-derived picks not listed`,
    ),
  );
  if (record.topUpOf) checks.push(await topUpCheck(record, rows, manifest));
  return { checks, missingFromManifest, notInRederivation };
}

/** The size asked for, its formula, and the allocation, recomputed from the request of record. */
function planChecks(
  manifest: Manifest,
  record: SampleRecord,
  strata: Record<string, string[]>,
): VerificationCheck[] {
  let plan: ReturnType<typeof planDraw>;
  try {
    plan = planDraw(record.request, strata);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return [
      check('allocation', false, `the request of record cannot be drawn from the listing: ${error.message}`),
    ];
  }
  const size = manifest.size as { requested?: number; formula?: string } | undefined;
  const checks = [
    check(
      'size.requested',
      size?.requested === plan.requestedSize,
      `the manifest says ${shown(size?.requested)}; the request of record gives ${plan.requestedSize}`,
    ),
    check(
      'size.formula',
      size?.formula === plan.sizeFormula,
      `the manifest says ${shown(size?.formula)}; the request of record gives ${shown(plan.sizeFormula)}`,
    ),
  ];
  for (const [index, stratum] of manifest.strata.entries()) {
    const planned = plan.strata.find((candidate) => candidate.key === stratum.key);
    checks.push(
      check(
        `strata[${index}].sampleSize (${stratum.key})`,
        planned?.sampleSize === stratum.sampleSize,
        `the manifest says ${stratum.sampleSize}; the allocation gives ${shown(planned?.sampleSize)}`,
      ),
      check(
        `strata[${index}].inclusionProbability (${stratum.key})`,
        planned !== undefined && stratum.inclusionProbability === planned.inclusionProbability,
        `the manifest says ${shown(stratum.inclusionProbability)}; the allocation gives ${shown(planned?.inclusionProbability)}`,
      ),
    );
  }
  return checks;
}

function drawnChecks(manifest: Manifest): VerificationCheck[] {
  const drawn = manifest.size?.drawn;
  const checks = [
    check(
      'size.drawn',
      drawn === manifest.picks.length,
      `the manifest says ${shown(drawn)} drawn and lists ${manifest.picks.length} picks`,
    ),
  ];
  for (const [index, stratum] of manifest.strata.entries()) {
    const picks = manifest.picks.filter((pick) => pick.stratum === stratum.key).length;
    checks.push(
      check(
        `strata[${index}].drawn (${stratum.key})`,
        stratum.drawn === picks && picks === stratum.sampleSize,
        `the manifest says ${shown(stratum.drawn)} drawn of ${stratum.sampleSize}, and lists ${picks}`,
      ),
    );
  }
  return checks;
}

/** A top-up's listing is its first sample's, less the decisions drawn before it. */
async function topUpCheck(
  record: SampleRecord,
  rows: readonly { decisionId: string }[],
  manifest: Manifest,
): Promise<VerificationCheck> {
  const name = 'top-up drawn from its first sample';
  const parent = await getStoredSample(record.topUpOf as string).catch(() => undefined);
  if (!parent) return check(name, false, `the sample it tops up, ${record.topUpOf}, is not on record`);
  const first = await readPopulationListing(parent.record);
  if (first.text === undefined || first.problem) return check(name, false, first.problem ?? 'unreadable');
  const remaining = new Set(rows.map((row) => row.decisionId));
  const drawnBefore = new Set(manifest.exclusions.excludedDecisionIds);
  const firstIds = parsePopulationCsv(first.text).map((row) => row.decisionId);
  const inFirst = new Set(firstIds);
  const outside = [...remaining].filter((id) => !inFirst.has(id));
  const unaccounted = firstIds.filter((id) => !remaining.has(id) && !drawnBefore.has(id));
  return check(
    name,
    outside.length === 0 && unaccounted.length === 0,
    `${outside.length} decisions not in the first sample's population, ${unaccounted.length} of it left out unexplained`,
  );
}

/** The population index now, stratum by stratum, against the sample's population (not for top-ups). */
async function populationNow(manifest: Manifest): Promise<PopulationNow> {
  const excluded = new Set(manifest.exclusions.excludedDecisionIds);
  const rows: { stratum: string; decisionId: string }[] = [];
  for await (const entry of populationEntries(manifest.filter)) {
    if (!excluded.has(entry.decisionId)) {
      rows.push({ stratum: stratumKey(entry, manifest.design.strataBy), decisionId: entry.decisionId });
    }
  }
  const now = stratumHashes(groupByStratum(rows));
  const keys = [...new Set([...manifest.strata.map((s) => s.key), ...now.keys()])].sort();
  const strata = keys.map((key) => {
    const drawnFrom = manifest.strata.find((s) => s.key === key);
    const hash = now.get(key);
    return {
      key,
      drawnFrom: drawnFrom?.populationSize ?? 0,
      now: hash?.count ?? 0,
      sameDecisions: (hash?.digest() ?? '') === (drawnFrom?.populationHash ?? ''),
    };
  });
  return { unchanged: strata.every((s) => s.drawnFrom === s.now && s.sameDecisions), strata };
}

export async function verifyManifest(manifest: Manifest): Promise<Verification> {
  const own = selfChecks(manifest);
  const stored = await getStoredSample(manifest.sampleId).catch((error: Error) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  const empty = { missingFromManifest: [], notInRederivation: [] };
  if (!stored) {
    const checks = [
      check('sample of record', false, `no sample ${manifest.sampleId} was drawn here`),
      ...own,
    ];
    return { sampleId: manifest.sampleId, matches: false, checks, ...empty };
  }
  const { record } = stored;
  if (record.status !== 'SELECTED') {
    const checks = [
      check('sample of record', false, `sample ${record.sampleId} is ${record.status}, not drawn`),
    ];
    return { sampleId: manifest.sampleId, matches: false, checks: [...checks, ...own], ...empty };
  }
  const checks: VerificationCheck[] = [
    check('sample of record', true, ''),
    check(
      'seed commitment of record',
      manifest.seedCommitment === record.seedCommitment &&
        seedCommitment(manifest.seed) === record.seedCommitment,
      'the seed is not the one committed when the sample was requested',
    ),
    ...own,
    ...(await recordChecks(manifest, record)),
  ];
  const rederivation = await listingChecks(manifest, record);
  checks.push(...rederivation.checks);
  return {
    sampleId: manifest.sampleId,
    matches: checks.every((c) => c.ok),
    checks,
    missingFromManifest: rederivation.missingFromManifest,
    notInRederivation: rederivation.notInRederivation,
    ...(record.topUpOf ? {} : { populationNow: await populationNow(manifest) }),
  };
}
