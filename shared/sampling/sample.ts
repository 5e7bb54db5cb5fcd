/**
 * A dip sample: the population it is drawn from (a filter over decisions), the design (simple
 * random, stratified with an allocation, or census; a size given or computed from the precision
 * wanted), and the committed seed. The schemas here are the API's and the workflow's.
 */
import { z } from 'zod';
import { CUSTODY_DISPOSALS, DECISION_TYPES, OFFENCE_GROUPS } from '../decisions/decision.ts';
import { LARGEST_SAMPLE_SIZE, smallestMargin } from './statistics.ts';

export const STRATUM_FIELDS = [
  'offenceGroup',
  'decidingBody',
  'unit',
  'decisionType',
  'outcomeCode',
  'daMarker',
] as const;
export type StratumField = (typeof STRATUM_FIELDS)[number];

const isoDate = z.iso.date({ error: 'a date as YYYY-MM-DD' });

export const PopulationFilterSchema = z
  .object({
    decisionDateFrom: isoDate,
    decisionDateTo: isoDate,
    decisionTypes: z
      .array(z.enum(DECISION_TYPES))
      .min(1)
      .default(['police_nfa', 'cps_nfa', 'filed'])
      .describe('Which decisions count; NFA and filing decisions by default'),
    outcomeCodes: z
      .array(z.string().regex(/^[0-9A-Za-z]{1,4}$/, 'an outcome code such as 14 or 16A'))
      .min(1)
      .optional(),
    offenceGroups: z.array(z.enum(OFFENCE_GROUPS)).min(1).optional(),
    decidingBodies: z
      .array(z.enum(['police', 'cps']))
      .min(1)
      .optional(),
    units: z.array(z.string().trim().min(1).max(64)).min(1).optional(),
    daMarker: z.boolean().optional(),
    custodyDisposals: z
      .array(z.enum(CUSTODY_DISPOSALS))
      .min(1)
      .optional()
      .describe(
        'Only decisions with one of these custody disposals (force exports carry it; police.uk data does not)',
      ),
  })
  .refine((filter) => filter.decisionDateFrom <= filter.decisionDateTo, {
    path: ['decisionDateTo'],
    message: 'must not be before decisionDateFrom',
  })
  .refine((filter) => monthsBetween(filter.decisionDateFrom, filter.decisionDateTo).length <= 120, {
    path: ['decisionDateTo'],
    message: 'the period may be at most ten years',
  });
export type PopulationFilter = z.infer<typeof PopulationFilterSchema>;

const EXPECTED_REASON =
  'must be strictly between 0 and 1: a rate of exactly 0 or 1 gives a sample of 0 decisions; use 0.5 if unsure';

/** A margin so small that n0 leaves the whole numbers floating point holds exactly is refused. */
function refuseTinyMargin(
  { confidence, margin, expected }: { confidence: number; margin: number; expected: number },
  context: z.RefinementCtx,
): void {
  // Zod runs this check even when a field failed its own: only settings sampleSize takes are judged.
  const inOpenUnit = (value: unknown) => typeof value === 'number' && value > 0 && value < 1;
  if (![confidence, margin, expected].every(inOpenUnit)) return;
  const smallest = smallestMargin(confidence, expected);
  if (margin < smallest) {
    context.addIssue({
      code: 'custom',
      path: ['margin'],
      message:
        `is too small: n0 = z²·p(1−p)/e² would exceed ${LARGEST_SAMPLE_SIZE} decisions; ` +
        `at this confidence and expected rate the margin must be at least ${smallest.toPrecision(3)}`,
    });
  }
}

/** The settings of a sample size, as numbers (a request body) or as text to coerce (a query string). */
function sampleSizeSettings(number: () => z.ZodNumber) {
  return {
    confidence: number().gt(0, 'must be between 0 and 1').lt(1, 'must be between 0 and 1'),
    margin: number().gt(0, 'must be greater than 0').lt(1, 'must be less than 1'),
    expected: number()
      .gt(0, EXPECTED_REASON)
      .lt(1, EXPECTED_REASON)
      .default(0.5)
      .describe('Expected rate of non-compliance; 0.5 is the safe choice'),
  };
}

export const PrecisionSchema = z.object(sampleSizeSettings(() => z.number())).superRefine(refuseTinyMargin);

/** GET /sample-size and `scrutineer sample size`: the precision wanted and, optionally, N. */
export const SampleSizeQuerySchema = z
  .object({
    ...sampleSizeSettings(() => z.coerce.number()),
    population: z.coerce.number().int().positive().optional(),
  })
  .superRefine(refuseTinyMargin);

export const DesignSchema = z
  .object({
    type: z.enum(['simple', 'stratified', 'census']),
    strataBy: z.array(z.enum(STRATUM_FIELDS)).min(1).max(3).optional(),
    allocation: z.enum(['proportional', 'equal', 'fixed']).optional(),
    quotas: z
      .record(z.string(), z.number().int().min(0))
      .optional()
      .describe('fixed allocation: stratum → size'),
  })
  .refine((design) => design.type !== 'stratified' || design.strataBy !== undefined, {
    path: ['strataBy'],
    message: 'a stratified design names the fields that define its strata',
  })
  .refine((design) => design.type !== 'stratified' || design.allocation !== undefined, {
    path: ['allocation'],
    message: 'a stratified design needs an allocation',
  })
  .refine((design) => (design.allocation === 'fixed') === (design.quotas !== undefined), {
    path: ['quotas'],
    message: 'quotas go with, and only with, a fixed allocation',
  });
export type Design = z.infer<typeof DesignSchema>;

export const CreateSampleRequestSchema = z
  .object({
    label: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .optional()
      .describe('Distinguishes deliberate repeats of one request'),
    filter: PopulationFilterSchema,
    design: DesignSchema,
    size: z.number().int().positive().max(100_000).optional(),
    precision: PrecisionSchema.optional(),
    seed: z
      .string()
      .min(16, 'at least 16 characters')
      .max(128)
      .optional()
      .describe('Leave out to have one generated; it is committed (hashed) now and revealed in the manifest'),
    exclude: z
      .object({
        underReview: z.boolean().default(true),
        reviewedWithinDays: z.number().int().min(1).max(3650).optional(),
      })
      .default({ underReview: true }),
  })
  .refine(
    (request) =>
      request.design.type === 'census' ||
      request.design.allocation === 'fixed' ||
      (request.size === undefined) !== (request.precision === undefined),
    {
      path: ['size'],
      message: 'give either a size or a precision (confidence and margin), not both',
    },
  )
  .refine(
    (request) =>
      request.design.type !== 'census' || (request.size === undefined && request.precision === undefined),
    {
      path: ['size'],
      message: 'a census takes every decision; give no size',
    },
  )
  .refine(
    (request) =>
      request.design.allocation !== 'fixed' ||
      (request.size === undefined && request.precision === undefined),
    { path: ['size'], message: 'a fixed allocation takes its size from the quotas' },
  );
export type CreateSampleRequest = z.infer<typeof CreateSampleRequestSchema>;

/** A top-up above this many cases is drawn only when the auditor confirms it. */
export const TOP_UP_CONFIRM_ABOVE = 200;

export const TopUpRequestSchema = z.object({
  additional: z.number().int().positive().max(100_000).describe('How many more decisions to draw'),
  label: z.string().trim().min(1).max(120).optional(),
  confirm: z
    .literal(true)
    .optional()
    .describe(
      `Required for a top-up of more than ${TOP_UP_CONFIRM_ABOVE} decisions: each opens a review case`,
    ),
});

export const SAMPLE_STATUSES = ['REQUESTED', 'SELECTED', 'EMPTY_POPULATION', 'FAILED'] as const;

export const StratumSummarySchema = z.object({
  key: z.string(),
  populationSize: z.number().int().nonnegative(),
  populationHash: z.string(),
  sampleSize: z.number().int().nonnegative(),
  inclusionProbability: z.number(),
});
export type StratumSummary = z.infer<typeof StratumSummarySchema>;

export const SampleRecordSchema = z.object({
  sampleId: z.string(),
  label: z.string().optional(),
  request: z.custom<CreateSampleRequest>(),
  seedCommitment: z.string().describe('SHA-256 of the seed, recorded before any decision was seen'),
  status: z.enum(SAMPLE_STATUSES),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
  selectedAt: z.iso.datetime().optional(),
  populationSize: z.number().int().optional(),
  requestedSize: z.number().int().optional(),
  drawnSize: z.number().int().optional(),
  sizeNote: z.string().optional(),
  strata: z.array(StratumSummarySchema).optional(),
  manifestKey: z.string().optional(),
  /** SHA-256 of the manifest's bytes as written: the record a submitted manifest is checked against. */
  manifestSha256: z.string().optional(),
  /** The population listing (stratum and decision id of every eligible decision) in the evidence bucket. */
  populationKey: z.string().optional(),
  populationSha256: z.string().optional(),
  failure: z.string().optional(),
  problem: z
    .string()
    .optional()
    .describe('Why the design could not be drawn, e.g. a quota for a stratum not in the population'),
  /** A top-up: the sample it extends, with the same seed, drawing past what was already drawn. */
  topUpOf: z.string().optional(),
  /** Picks whose decision was already under review in another case when cases were opened: no second case. */
  underReviewElsewhere: z.array(z.object({ decisionId: z.string(), caseId: z.string() })).optional(),
});
export type SampleRecord = z.infer<typeof SampleRecordSchema>;

/** The months a date range touches, as YYYY-MM, in order. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const end = to.slice(0, 7);
  for (let guard = 0; guard < 1200; guard++) {
    const current = `${year}-${String(month).padStart(2, '0')}`;
    if (current > end) break;
    months.push(current);
    month = month === 12 ? 1 : month + 1;
    if (month === 1) year++;
  }
  return months;
}

/** The stratum a decision falls in: its values of the stratum fields, joined; `all` for simple designs. */
export function stratumKey(
  decision: Readonly<Record<string, unknown>>,
  strataBy: readonly StratumField[] | undefined,
): string {
  if (!strataBy || strataBy.length === 0) return 'all';
  return strataBy.map((field) => `${field}=${String(decision[field] ?? 'unknown')}`).join('|');
}

/** Whether an entry of the population index passes the filter. */
export function inPopulation(decision: Readonly<Record<string, unknown>>, filter: PopulationFilter): boolean {
  const date = String(decision.decisionDate ?? '');
  if (date < filter.decisionDateFrom || date > filter.decisionDateTo) return false;
  if (!filter.decisionTypes.includes(decision.decisionType as (typeof DECISION_TYPES)[number])) return false;
  if (filter.outcomeCodes && !filter.outcomeCodes.includes(String(decision.outcomeCode ?? '').toUpperCase()))
    return false;
  if (
    filter.offenceGroups &&
    !filter.offenceGroups.includes(decision.offenceGroup as (typeof OFFENCE_GROUPS)[number])
  ) {
    return false;
  }
  if (filter.decidingBodies && !filter.decidingBodies.includes(decision.decidingBody as 'police' | 'cps'))
    return false;
  if (filter.units && !filter.units.includes(String(decision.unit ?? ''))) return false;
  if (filter.daMarker !== undefined && decision.daMarker !== filter.daMarker) return false;
  if (
    filter.custodyDisposals &&
    !filter.custodyDisposals.includes(decision.custodyDisposal as (typeof CUSTODY_DISPOSALS)[number])
  ) {
    return false;
  }
  return true;
}
