/**
 * The dip-sample report: how a sample was designed and drawn, and what its concluded cases say
 * about the rate of non-compliance, as data, as CSV and as a readable HTML document. A pure
 * function of the sample record and its estimates (see sampling/estimates.ts), which it restates
 * without computing anything new but the rate of each row.
 */

import type { OverallEstimate, Proportion, SampleEstimates } from '../sampling/estimates.ts';
import type { SampleRecord } from '../sampling/sample.ts';
import type { Interval, StratifiedIntervalMethod } from '../sampling/statistics.ts';
import { type CsvCell, toCsv } from './csv.ts';
import { escapeHtml, formatNumber, formatPercent, htmlDocument, htmlTable } from './html.ts';
import { intervalChart } from './svg.ts';

export type { SampleEstimates };

export interface SampleReportInput {
  readonly sample: SampleRecord;
  readonly estimates: SampleEstimates;
  /** When the report was made (ISO date-time), passed in: the report never reads the clock. */
  readonly generatedAt: string;
}

/** One scope's figures: a stratum, the whole population (weighted), or all cases pooled (unweighted). */
export interface EstimateRow {
  /** The stratum key (`all` for a simple design), `overall`, or `unweighted`. */
  readonly scope: string;
  /** Decisions drawn from (N_h for a stratum, N overall); null for the unweighted pool. */
  readonly population: number | null;
  /** W_h = N_h/N for a stratum; null otherwise. */
  readonly weight: number | null;
  readonly drawn: number;
  readonly concluded: number;
  readonly nonCompliant: number;
  /** For a stratum and the pool, nonCompliant / concluded; overall, Σ W_h p̂_h. Null while there is none. */
  readonly rate: number | null;
  /** 95% intervals; null while there is no rate. */
  readonly wilson: Interval | null;
  readonly clopperPearson: Interval | null;
  /** How the intervals were made: binomial for a stratum and the pool, see statistics.ts overall. */
  readonly method: 'binomial' | StratifiedIntervalMethod | null;
  readonly standardError: number | null;
  readonly effectiveSampleSize: number | null;
}

export interface SampleReport {
  readonly sampleId: string;
  readonly label: string | null;
  readonly status: string;
  readonly generatedAt: string;
  readonly requestedAt: string;
  readonly selectedAt: string | null;
  readonly design: {
    readonly type: string;
    readonly strataBy: readonly string[];
    readonly allocation: string | null;
    readonly decisionDateFrom: string | null;
    readonly decisionDateTo: string | null;
    readonly populationSize: number | null;
    readonly requestedSize: number | null;
    readonly drawnSize: number | null;
    readonly sizeNote: string | null;
    readonly strata: readonly {
      readonly key: string;
      readonly populationSize: number;
      readonly sampleSize: number;
      readonly inclusionProbability: number;
    }[];
  };
  /** SHA-256 of the seed, committed before any decision was seen; the seed is in the manifest. */
  readonly seedCommitment: string;
  /** Where the manifest (seed, selection algorithm and version, population hashes) is kept. */
  readonly manifestKey: string | null;
  readonly topUpOf: string | null;
  /** Every stratum drawn from, one that drew no case too. */
  readonly strata: readonly EstimateRow[];
  /** The population's rate, each stratum weighted by its size (N_h/N). */
  readonly overall: EstimateRow;
  /** Why there is no overall rate yet; null once there is. */
  readonly overallRefused: string | null;
  readonly weightedBy: OverallEstimate['weightedBy'];
  /** Stratified designs only: every concluded case pooled, labelled as not the population's rate. */
  readonly unweighted: (EstimateRow & { readonly label: string }) | null;
  readonly notes: readonly string[];
  readonly note: string;
}

function proportionRow(
  scope: string,
  population: number | null,
  weight: number | null,
  proportion: Proportion,
) {
  return {
    scope,
    population,
    weight,
    drawn: proportion.drawn,
    concluded: proportion.concluded,
    nonCompliant: proportion.nonCompliant,
    rate: proportion.concluded > 0 ? proportion.nonCompliant / proportion.concluded : null,
    wilson: proportion.wilson ?? null,
    clopperPearson: proportion.clopperPearson ?? null,
    method: proportion.concluded > 0 ? ('binomial' as const) : null,
    standardError: null,
    effectiveSampleSize: null,
  } satisfies EstimateRow;
}

function overallRow(overall: OverallEstimate): EstimateRow {
  return {
    scope: 'overall',
    population: overall.populationSize,
    weight: null,
    drawn: overall.drawn,
    concluded: overall.concluded,
    nonCompliant: overall.nonCompliant,
    rate: overall.rate ?? null,
    wilson: overall.wilson ?? null,
    clopperPearson: overall.clopperPearson ?? null,
    method: overall.method ?? null,
    standardError: overall.standardError ?? null,
    effectiveSampleSize: overall.effectiveSampleSize ?? null,
  };
}

/** The dip-sample report as data. */
export function buildSampleReport(input: SampleReportInput): SampleReport {
  const { sample, estimates } = input;
  const design = sample.request.design;
  return {
    sampleId: sample.sampleId,
    label: sample.label ?? null,
    status: sample.status,
    generatedAt: input.generatedAt,
    requestedAt: sample.requestedAt,
    selectedAt: sample.selectedAt ?? null,
    design: {
      type: design.type,
      strataBy: design.strataBy ?? [],
      allocation: design.allocation ?? null,
      decisionDateFrom: sample.request.filter.decisionDateFrom ?? null,
      decisionDateTo: sample.request.filter.decisionDateTo ?? null,
      populationSize: sample.populationSize ?? null,
      requestedSize: sample.requestedSize ?? null,
      drawnSize: sample.drawnSize ?? null,
      sizeNote: sample.sizeNote ?? null,
      strata: (sample.strata ?? []).map((stratum) => ({
        key: stratum.key,
        populationSize: stratum.populationSize,
        sampleSize: stratum.sampleSize,
        inclusionProbability: stratum.inclusionProbability,
      })),
    },
    seedCommitment: sample.seedCommitment,
    manifestKey: sample.manifestKey ?? null,
    topUpOf: sample.topUpOf ?? null,
    strata: estimates.strata.map((s) => proportionRow(s.key, s.populationSize, s.weight, s)),
    overall: overallRow(estimates.overall),
    overallRefused: estimates.overall.refused ?? null,
    weightedBy: estimates.overall.weightedBy,
    unweighted: estimates.unweighted
      ? {
          ...proportionRow('unweighted', null, null, estimates.unweighted),
          label: estimates.unweighted.label,
        }
      : null,
    notes: estimates.overall.notes,
    note: estimates.note,
  };
}

const CSV_HEADER = [
  'scope',
  'population',
  'weight',
  'drawn',
  'concluded',
  'non_compliant',
  'rate',
  'wilson_low',
  'wilson_high',
  'cp_low',
  'cp_high',
  'interval_method',
  'standard_error',
  'effective_sample_size',
] as const;

const csvRow = (row: EstimateRow): CsvCell[] => [
  row.scope,
  row.population,
  row.weight,
  row.drawn,
  row.concluded,
  row.nonCompliant,
  row.rate,
  row.wilson?.lower,
  row.wilson?.upper,
  row.clopperPearson?.lower,
  row.clopperPearson?.upper,
  row.method,
  row.standardError,
  row.effectiveSampleSize,
];

/**
 * One row per stratum drawn from, then `overall` (the population's rate, weighted by stratum
 * size, with intervals from the effective sample size: interval_method says which) and, for a
 * stratified design, `unweighted` (all concluded cases pooled: not the population's rate). Rates
 * and bounds are proportions (0 to 1) in full precision; the strata's intervals are binomial.
 */
export function sampleReportCsv(report: SampleReport): string {
  const rows = [...report.strata, report.overall, ...(report.unweighted ? [report.unweighted] : [])];
  return toCsv(CSV_HEADER, rows.map(csvRow));
}

const interval = (value: Interval | null) =>
  value ? `${formatPercent(value.lower)} to ${formatPercent(value.upper)}` : '—';

const section = (heading: string, content: string) => `<h2>${escapeHtml(heading)}</h2>\n${content}\n`;
const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`;
const orDash = (value: unknown) => (value === null || value === undefined || value === '' ? '—' : value);

/** The report as a self-contained HTML document; every value is escaped. */
export function sampleReportHtml(report: SampleReport): string {
  const { design } = report;
  const summary = section(
    'Summary',
    htmlTable(
      ['', ''],
      [
        ['Label', orDash(report.label)],
        ['Status', report.status],
        ['Requested', report.requestedAt],
        ['Selected', orDash(report.selectedAt)],
        ['Report generated', report.generatedAt],
        ['Decisions dated', `${orDash(design.decisionDateFrom)} to ${orDash(design.decisionDateTo)}`],
        ['Design', design.type],
        ['Strata by', design.strataBy.length > 0 ? design.strataBy.join(', ') : '—'],
        ['Allocation', orDash(design.allocation)],
        ['Population', orDash(design.populationSize)],
        ['Requested size', orDash(design.requestedSize)],
        ['Drawn', orDash(design.drawnSize)],
        ['Size', orDash(design.sizeNote)],
        ['Seed commitment (SHA-256)', report.seedCommitment],
        ['Manifest', orDash(report.manifestKey)],
        ['Top-up of', orDash(report.topUpOf)],
      ],
    ) +
      (design.strata.length > 0
        ? htmlTable(
            ['Stratum', 'Population', 'Sample size', 'Inclusion probability'],
            design.strata.map((s) => [
              s.key,
              s.populationSize,
              s.sampleSize,
              formatNumber(s.inclusionProbability, 4),
            ]),
          )
        : ''),
  );

  const scopeLabel = (row: EstimateRow) =>
    row.scope === 'overall'
      ? report.weightedBy === 'stratum size'
        ? 'Overall (weighted by stratum size)'
        : 'Overall'
      : row.scope === 'unweighted'
        ? 'Unweighted (all cases pooled)'
        : row.scope;
  const rows = [...report.strata, report.overall, ...(report.unweighted ? [report.unweighted] : [])];
  const overallMethod =
    report.overall.method === 'census'
      ? 'Every stratum was reviewed in full, so the overall rate is counted, not estimated: its interval is the rate itself.'
      : 'The overall rate weights each stratum by its size (its share of the population drawn from). Its intervals ' +
        'are the Wilson and Clopper-Pearson intervals computed with the effective sample size (Korn and Graubard ' +
        '1998; Franco and others 2019), which allows for the weights and the finite population, and stays wide ' +
        'enough when every stratum found all or none non-compliant.';
  const estimates = section(
    'Non-compliance',
    paragraph(
      'A case complies when its verdict is “consistent with policy” or “appropriate with observations”, and ' +
        'does not when it is “inappropriate”; “cannot conclude” is in neither, and counted apart. The rate is ' +
        'the share of concluded cases found non-compliant; cases not yet concluded are not counted. ' +
        'Each stratum’s rate has two 95% intervals: the Wilson score interval, which keeps close to 95% coverage ' +
        'for the small samples and rates near 0 or 1 that dip samples give, and the Clopper-Pearson ' +
        '“exact” interval, which covers at least 95% for any true rate and so is wider.',
    ) +
      paragraph(overallMethod) +
      (report.unweighted ? paragraph(`The unweighted row is ${report.unweighted.label}.`) : '') +
      intervalChart({
        title: 'Rate of non-compliance with Wilson 95% intervals',
        rows: rows.map((row) => ({
          label: scopeLabel(row),
          estimate: row.rate,
          lower: row.wilson?.lower ?? null,
          upper: row.wilson?.upper ?? null,
        })),
      }) +
      htmlTable(
        [
          'Scope',
          'Population',
          'Weight',
          'Drawn',
          'Concluded',
          'Non-compliant',
          'Rate',
          'Wilson 95%',
          'Clopper-Pearson 95%',
        ],
        rows.map((row) => [
          scopeLabel(row),
          orDash(row.population),
          row.weight === null ? '—' : formatPercent(row.weight),
          row.drawn,
          row.concluded,
          row.nonCompliant,
          formatPercent(row.rate),
          interval(row.wilson),
          interval(row.clopperPearson),
        ]),
      ) +
      (report.overall.rate !== null
        ? htmlTable(
            ['Overall rate', 'Interval method', 'Standard error', 'Effective sample size', '95% interval'],
            [
              [
                formatPercent(report.overall.rate),
                orDash(report.overall.method),
                formatNumber(report.overall.standardError, 4),
                report.overall.effectiveSampleSize === null
                  ? '—'
                  : formatNumber(report.overall.effectiveSampleSize, 1),
                interval(report.overall.wilson),
              ],
            ],
          )
        : paragraph(`No overall rate yet: ${report.overallRefused ?? 'no case has concluded'}.`)) +
      report.notes.map(paragraph).join('') +
      paragraph(report.note),
  );

  return htmlDocument(`Dip-sample report: ${report.sampleId}`, summary + estimates);
}
