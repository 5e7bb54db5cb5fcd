/**
 * What a dip sample says once its cases conclude: the rate of non-compliance (any verdict other
 * than "consistent with policy") overall and per stratum, with Wilson and Clopper-Pearson 95%
 * intervals, and the stratified estimate weighted by stratum size with its standard error.
 * Cases not yet concluded (or carried over) are not counted; the figures say how many are in.
 */
import { listCases } from '../cases/case-store.ts';
import { getStoredSample } from './sample-store.ts';
import { clopperPearsonInterval, type Interval, stratifiedEstimate, wilsonInterval } from './statistics.ts';

export const COMPLIANT_VERDICT = 'consistent';

export interface Proportion {
  readonly drawn: number;
  readonly concluded: number;
  readonly nonCompliant: number;
  readonly wilson?: Interval;
  readonly clopperPearson?: Interval;
}

function proportion(drawn: number, verdicts: readonly string[]): Proportion {
  const nonCompliant = verdicts.filter((verdict) => verdict !== COMPLIANT_VERDICT).length;
  if (verdicts.length === 0) return { drawn, concluded: 0, nonCompliant: 0 };
  return {
    drawn,
    concluded: verdicts.length,
    nonCompliant,
    wilson: wilsonInterval(nonCompliant, verdicts.length),
    clopperPearson: clopperPearsonInterval(nonCompliant, verdicts.length),
  };
}

export async function sampleEstimates(sampleId: string) {
  const { record } = await getStoredSample(sampleId);
  const cases = (await listCases()).flatMap((reviewCase) =>
    reviewCase.origin.kind === 'dip-sample' && reviewCase.origin.sampleId === sampleId
      ? [{ stratum: reviewCase.origin.stratum, status: reviewCase.status, verdict: reviewCase.verdict }]
      : [],
  );
  const verdictsOf = (stratum?: string) =>
    cases
      .filter(
        (c) => (stratum === undefined || c.stratum === stratum) && c.status === 'CONCLUDED' && c.verdict,
      )
      .map((c) => String(c.verdict));
  const strata = (record.strata ?? [])
    .filter((stratum) => stratum.sampleSize > 0)
    .map((stratum) => ({
      key: stratum.key,
      populationSize: stratum.populationSize,
      ...proportion(cases.filter((c) => c.stratum === stratum.key).length, verdictsOf(stratum.key)),
    }));
  const everyStratumIn = strata.length > 0 && strata.every((stratum) => stratum.concluded > 0);
  return {
    sampleId,
    status: record.status,
    overall: proportion(cases.length, verdictsOf()),
    strata,
    ...(everyStratumIn
      ? {
          stratified: stratifiedEstimate(
            strata.map((s) => ({
              populationSize: s.populationSize,
              sampleSize: s.concluded,
              successes: s.nonCompliant,
            })),
          ),
        }
      : {}),
    note: everyStratumIn
      ? 'Estimates use concluded cases only.'
      : 'The stratified estimate needs at least one concluded case in every stratum.',
  };
}
