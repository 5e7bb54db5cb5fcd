/**
 * The dip-sample report: how a sample was designed and drawn, and what its concluded cases say
 * about the rate of non-compliance, as data, as CSV and as a readable HTML document. A pure
 * function of the sample record and its estimates (see sampling/estimates.ts), which it restates
 * without computing anything new but the rate of each row.
 */

import type { sampleEstimates } from '../sampling/estimates.ts';
import type { SampleRecord } from '../sampling/sample.ts';
import type { Interval, StratifiedEstimate } from '../sampling/statistics.ts';
import { type CsvCell, toCsv } from './csv.ts';
import { escapeHtml, formatNumber, formatPercent, htmlDocument, htmlTable } from './html.ts';
import { intervalChart } from './svg.ts';

export type SampleEstimates = Awaited<ReturnType<typeof sampleEstimates>>;

export interface SampleReportInput {
  readonly sample: SampleRecord;
  readonly estimates: SampleEstimates;
  /** When the report was made (ISO date-time), passed in: the report never reads the clock. */
  readonly generatedAt: string;
}

/** One scope's figures: the whole sample or one stratum. */
export interface EstimateRow {
  /** `overall`, or the stratum key (`all` for a simple design). */
  readonly scope: string;
  /** Decisions in the population (for a stratum, N_h); null when the record does not say. */
  readonly population: number | null;
  readonly drawn: number;
  readonly concluded: number;
  readonly nonCompliant: number;
  /** nonCompliant / concluded; null while no case has concluded. */
  readonly rate: number | null;
  /** 95% intervals; null while no case has concluded. */
  readonly wilson: Interval | null;
  readonly clopperPearson: Interval | null;
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
  readonly overall: EstimateRow;
  readonly strata: readonly EstimateRow[];
  /** Weighted by stratum population (Cochran 5.27), once every stratum has a concluded case. */
  readonly stratified: {
    readonly population: number;
    readonly drawn: number;
    readonly concluded: number;
    readonly nonCompliant: number;
    readonly estimate: StratifiedEstimate;
  } | null;
  readonly note: string;
}

type Proportion = SampleEstimates['overall'];

function estimateRow(scope: string, population: number | null, proportion: Proportion): EstimateRow {
  return {
    scope,
    population,
    drawn: proportion.drawn,
    concluded: proportion.concluded,
    nonCompliant: proportion.nonCompliant,
    rate: proportion.concluded > 0 ? proportion.nonCompliant / proportion.concluded : null,
    wilson: proportion.wilson ?? null,
    clopperPearson: proportion.clopperPearson ?? null,
  };
}

/** The dip-sample report as data. */
export function buildSampleReport(input: SampleReportInput): SampleReport {
  const { sample, estimates } = input;
  const design = sample.request.design;
  const strata = estimates.strata.map((stratum) => estimateRow(stratum.key, stratum.populationSize, stratum));
  const sum = (pick: (row: EstimateRow) => number) => strata.reduce((total, row) => total + pick(row), 0);
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
    overall: estimateRow('overall', sample.populationSize ?? null, estimates.overall),
    strata,
    stratified: estimates.stratified
      ? {
          population: sum((row) => row.population ?? 0),
          drawn: sum((row) => row.drawn),
          concluded: sum((row) => row.concluded),
          nonCompliant: sum((row) => row.nonCompliant),
          estimate: estimates.stratified,
        }
      : null,
    note: estimates.note,
  };
}

const CSV_HEADER = [
  'scope',
  'population',
  'drawn',
  'concluded',
  'non_compliant',
  'rate',
  'wilson_low',
  'wilson_high',
  'cp_low',
  'cp_high',
  'standard_error',
  'normal_low',
  'normal_high',
] as const;

const csvRow = (row: EstimateRow): CsvCell[] => [
  row.scope,
  row.population,
  row.drawn,
  row.concluded,
  row.nonCompliant,
  row.rate,
  row.wilson?.lower,
  row.wilson?.upper,
  row.clopperPearson?.lower,
  row.clopperPearson?.upper,
  null,
  null,
  null,
];

/**
 * One row per stratum, then `overall` and (once it exists) `stratified`. Rates and bounds are
 * proportions (0 to 1) in full precision. The stratified estimate's interval is the normal one
 * (estimate ± z·SE), not Wilson or Clopper-Pearson, so it has columns of its own
 * (standard_error, normal_low, normal_high) that only its row fills.
 */
export function sampleReportCsv(report: SampleReport): string {
  const rows = [...report.strata.map(csvRow), csvRow(report.overall)];
  const { stratified } = report;
  if (stratified) {
    rows.push([
      'stratified',
      stratified.population,
      stratified.drawn,
      stratified.concluded,
      stratified.nonCompliant,
      stratified.estimate.estimate,
      null,
      null,
      null,
      null,
      stratified.estimate.standardError,
      stratified.estimate.lower,
      stratified.estimate.upper,
    ]);
  }
  return toCsv(CSV_HEADER, rows);
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

  const rows = [...report.strata, report.overall];
  const estimates = section(
    'Non-compliance',
    paragraph(
      'Non-compliance means any verdict other than “consistent with policy”. The rate is the share of ' +
        'concluded cases found non-compliant; cases not yet concluded, or carried over, are not counted. ' +
        'Each rate has two 95% intervals: the Wilson score interval, which keeps close to 95% coverage ' +
        'for the small samples and rates near 0 or 1 that dip samples give, and the Clopper-Pearson ' +
        '“exact” interval, which covers at least 95% for any true rate and so is wider. The stratified ' +
        'estimate weights each stratum by its population size; its interval is the normal one (estimate ' +
        'plus or minus 1.96 standard errors).',
    ) +
      intervalChart({
        title: 'Rate of non-compliance with Wilson 95% intervals',
        rows: rows.map((row) => ({
          label: row.scope === 'overall' ? 'Overall' : row.scope,
          estimate: row.rate,
          lower: row.wilson?.lower ?? null,
          upper: row.wilson?.upper ?? null,
        })),
      }) +
      htmlTable(
        [
          'Scope',
          'Population',
          'Drawn',
          'Concluded',
          'Non-compliant',
          'Rate',
          'Wilson 95%',
          'Clopper-Pearson 95%',
        ],
        rows.map((row) => [
          row.scope === 'overall' ? 'Overall' : row.scope,
          orDash(row.population),
          row.drawn,
          row.concluded,
          row.nonCompliant,
          formatPercent(row.rate),
          interval(row.wilson),
          interval(row.clopperPearson),
        ]),
      ) +
      (report.stratified
        ? htmlTable(
            ['Stratified estimate', 'Standard error', '95% interval', 'Concluded cases'],
            [
              [
                formatPercent(report.stratified.estimate.estimate),
                formatNumber(report.stratified.estimate.standardError, 4),
                interval(report.stratified.estimate),
                report.stratified.concluded,
              ],
            ],
          )
        : '') +
      paragraph(report.note),
  );

  return htmlDocument(`Dip-sample report: ${report.sampleId}`, summary + estimates);
}
