/**
 * What a dip sample says once its cases conclude: the rate of non-compliance in the population
 * drawn from and in each stratum. Compliance is defined once (VERDICT_COMPLIANCE): "consistent"
 * and "appropriate with observations" comply, "inappropriate" does not, and "cannot conclude" is
 * left out of the rate and counted as `excluded`.
 *
 * - Every stratum the sample was drawn from is listed, with its size N_h and weight W_h = N_h/N,
 *   including a stratum that drew no case: its weight is never dropped unsaid.
 * - `overall` is the rate of the whole population: each stratum's rate weighted by its size
 *   (stratifiedEstimate), with the interval's method named. It is refused, with the reason, while
 *   any stratum has no concluded case: without it the figure would speak for part of the
 *   population only.
 * - `unweighted` (stratified designs only) pools the concluded cases as if they were one simple
 *   random sample. Under any allocation but proportional it is not an estimate of the population's
 *   rate, and is labelled so.
 *
 * Cases not yet concluded (or carried over) are not counted; the figures say how many are in. A
 * case counts once concluded and stays counted once closed.
 *
 * A first sample's estimates count its top-ups' cases with its own (`samples` names them): a top-up
 * takes the next-lowest ranks of the first sample's population listing, so the first sample and its
 * top-ups together are the lowest ranks of each stratum, one simple random sample per stratum of
 * the first population, whose sizes N_h weigh the strata. A top-up's own estimates count its cases
 * only, against what remained of each stratum when it was drawn.
 */
import { z } from 'zod';
import { listCases } from '../cases/case-store.ts';
import { complianceOf } from '../review/question-set.ts';
import type { SampleRecord } from './sample.ts';
import { getStoredSample, listSampleRecords } from './sample-store.ts';
import {
  clopperPearsonInterval,
  STRATIFIED_INTERVAL_METHODS,
  stratifiedEstimate,
  wilsonInterval,
} from './statistics.ts';

const IntervalSchema = z.object({ estimate: z.number(), lower: z.number(), upper: z.number() });

/** A rate among concluded cases, with its binomial intervals (no finite population correction). */
const ProportionSchema = z.object({
  drawn: z.number().int(),
  concluded: z.number().int().describe('Concluded cases the rate counts ("cannot conclude" left out)'),
  nonCompliant: z.number().int(),
  excluded: z
    .number()
    .int()
    .describe('Cases whose verdict was "cannot conclude": in neither side of the rate'),
  wilson: IntervalSchema.optional().describe('Wilson score 95% interval'),
  clopperPearson: IntervalSchema.optional().describe('Clopper-Pearson 95% interval'),
});
export type Proportion = z.infer<typeof ProportionSchema>;

const StratumEstimateSchema = ProportionSchema.extend({
  key: z.string(),
  populationSize: z.number().int().describe('N_h: decisions of the population drawn from in this stratum'),
  weight: z.number().describe('W_h = N_h/N'),
});
export type StratumEstimate = z.infer<typeof StratumEstimateSchema>;

const OverallEstimateSchema = ProportionSchema.extend({
  populationSize: z.number().int().describe('N = Σ N_h, the population drawn from'),
  nonCompliant: z
    .number()
    .int()
    .describe('Concluded cases found non-compliant, counted over every stratum (not weighted)'),
  weightedBy: z.enum(['stratum size', 'none']).describe("'none' when the design has a single stratum"),
  rate: z.number().optional().describe("The population's rate: Σ W_h · p̂_h"),
  method: z
    .enum(STRATIFIED_INTERVAL_METHODS)
    .optional()
    .describe('How wilson and clopperPearson were made: with the effective sample size (docs/sampling.md)'),
  standardError: z.number().optional(),
  effectiveSampleSize: z.number().nullable().optional(),
  notes: z.array(z.string()),
  refused: z.string().optional().describe('Why there is no estimate of the rate yet'),
});
export type OverallEstimate = z.infer<typeof OverallEstimateSchema>;

const UnweightedRateSchema = ProportionSchema.extend({ label: z.string() });

export const SampleEstimatesSchema = z.object({
  sampleId: z.string(),
  status: z.string(),
  samples: z
    .array(z.string())
    .describe('The samples whose cases are counted: this one, then (for a first sample) its drawn top-ups'),
  design: z.string(),
  strata: z.array(StratumEstimateSchema).describe('Every stratum drawn from, one that drew no case too'),
  overall: OverallEstimateSchema,
  unweighted: UnweightedRateSchema.optional().describe('Stratified designs only, and labelled as such'),
  note: z.string(),
});
export type SampleEstimates = z.infer<typeof SampleEstimatesSchema>;

/** How every estimate counts verdicts, said with it. */
export const COMPLIANCE_NOTE =
  'Concluded cases only. Compliant: "consistent with policy" and "appropriate with observations"; ' +
  'non-compliant: "inappropriate"; "cannot conclude" is in neither.';

export const UNWEIGHTED_LABEL =
  'unweighted: all concluded cases pooled as one simple random sample, ignoring stratum sizes; ' +
  'not the rate of the population unless the allocation was proportional';

export interface ConcludedCase {
  readonly stratum: string;
  readonly concluded: boolean;
  readonly verdict?: string;
}

export interface DrawnStratum {
  readonly key: string;
  readonly populationSize: number;
}

function proportion(drawn: number, allVerdicts: readonly string[]): Proportion {
  const verdicts = allVerdicts.filter((verdict) => complianceOf(verdict) !== 'excluded');
  const excluded = allVerdicts.length - verdicts.length;
  const nonCompliant = verdicts.filter((verdict) => complianceOf(verdict) === 'non_compliant').length;
  if (verdicts.length === 0) return { drawn, concluded: 0, nonCompliant: 0, excluded };
  return {
    drawn,
    concluded: verdicts.length,
    nonCompliant,
    excluded,
    wilson: wilsonInterval(nonCompliant, verdicts.length),
    clopperPearson: clopperPearsonInterval(nonCompliant, verdicts.length),
  };
}

const percent = (share: number) => `${Number((share * 100).toFixed(1))}%`;

/**
 * The estimates from the strata drawn from and the sample's cases: a plain function, so every
 * rule above is tested without a database.
 */
export function estimateSample(
  design: string,
  drawnFrom: readonly DrawnStratum[],
  cases: readonly ConcludedCase[],
): Pick<SampleEstimates, 'design' | 'strata' | 'overall' | 'unweighted' | 'note'> {
  const populationSize = drawnFrom.reduce((sum, stratum) => sum + stratum.populationSize, 0);
  const verdictsOf = (stratum?: string) =>
    cases
      // A case the panel could not conclude is carried over, not concluded: counted as excluded.
      .filter(
        (c) =>
          (stratum === undefined || c.stratum === stratum) &&
          c.verdict !== undefined &&
          (c.concluded || complianceOf(c.verdict) === 'excluded'),
      )
      .map((c) => String(c.verdict));
  const strata = drawnFrom.map(
    (stratum): StratumEstimate => ({
      key: stratum.key,
      populationSize: stratum.populationSize,
      weight: populationSize === 0 ? 0 : stratum.populationSize / populationSize,
      ...proportion(cases.filter((c) => c.stratum === stratum.key).length, verdictsOf(stratum.key)),
    }),
  );
  const pooled = proportion(cases.length, verdictsOf());
  // A stratum with no decisions weighs nothing and needs no case.
  const counted = strata.filter((stratum) => stratum.populationSize > 0);
  const missing = counted.filter((stratum) => stratum.concluded === 0);
  const refused =
    counted.length === 0
      ? 'the sample has not been drawn'
      : missing.length > 0
        ? `no estimate of the population's rate until every stratum has a concluded case: ${missing
            .map(
              (s) =>
                `${s.key} (${s.populationSize} decisions, weight ${percent(s.weight)}) ` +
                (s.drawn === 0 ? 'drew no case' : `has none of its ${s.drawn} concluded`),
            )
            .join('; ')}`
        : undefined;
  const several = strata.length > 1;
  const estimate =
    refused === undefined
      ? stratifiedEstimate(
          counted.map((s) => ({
            key: s.key,
            populationSize: s.populationSize,
            sampleSize: s.concluded,
            successes: s.nonCompliant,
          })),
        )
      : undefined;
  const overall: OverallEstimate = {
    populationSize,
    drawn: pooled.drawn,
    concluded: pooled.concluded,
    nonCompliant: pooled.nonCompliant,
    excluded: pooled.excluded,
    weightedBy: several ? 'stratum size' : 'none',
    ...(estimate
      ? {
          rate: estimate.estimate,
          method: estimate.method,
          standardError: estimate.standardError,
          effectiveSampleSize: estimate.effectiveSampleSize,
          wilson: { estimate: estimate.estimate, lower: estimate.lower, upper: estimate.upper },
          clopperPearson: estimate.clopperPearson,
          notes: [...estimate.notes],
        }
      : { notes: [], refused }),
  };
  return {
    design,
    strata,
    overall,
    ...(several ? { unweighted: { label: UNWEIGHTED_LABEL, ...pooled } } : {}),
    note:
      `${COMPLIANCE_NOTE}${pooled.excluded > 0 ? ` ${pooled.excluded} "cannot conclude" left out.` : ''}` +
      (refused === undefined ? '' : ` No overall estimate yet: ${refused}.`),
  };
}

/** A case counts as concluded once CONCLUDED and stays so when CLOSED, as the sitting report counts it. */
export const CONCLUDED_CASE_STATUSES: readonly string[] = ['CONCLUDED', 'CLOSED'];

/**
 * The samples a sample's estimates and report combine: itself, then, for a first sample, every
 * top-up of it that was drawn, oldest first. A top-up combines nothing but itself.
 */
export async function combinedSamples(record: SampleRecord): Promise<SampleRecord[]> {
  if (record.topUpOf) return [record];
  const topUps = (await listSampleRecords(1000))
    .filter((sample) => sample.topUpOf === record.sampleId && sample.status === 'SELECTED')
    .sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.sampleId.localeCompare(b.sampleId));
  return [record, ...topUps];
}

export async function sampleEstimates(sampleId: string): Promise<SampleEstimates> {
  const { record } = await getStoredSample(sampleId);
  const samples = (await combinedSamples(record)).map((sample) => sample.sampleId);
  const cases = (await listCases()).flatMap((reviewCase) =>
    reviewCase.origin.kind === 'dip-sample' && samples.includes(reviewCase.origin.sampleId)
      ? [
          {
            stratum: reviewCase.origin.stratum,
            concluded: CONCLUDED_CASE_STATUSES.includes(reviewCase.status),
            ...(reviewCase.verdict ? { verdict: String(reviewCase.verdict) } : {}),
          },
        ]
      : [],
  );
  const drawnFrom = (record.strata ?? []).map(({ key, populationSize }) => ({ key, populationSize }));
  const estimates = estimateSample(record.request.design.type, drawnFrom, cases);
  const combined =
    samples.length > 1
      ? ` The cases of its top-ups ${samples.slice(1).join(', ')} are counted with its own.`
      : record.topUpOf
        ? ` This top-up's own cases only; the report of ${record.topUpOf} counts them with that sample's.`
        : '';
  return {
    sampleId,
    status: record.status,
    samples,
    ...estimates,
    note: `${estimates.note}${combined}`,
  };
}
