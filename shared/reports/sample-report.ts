/**
 * The dip-sample report: how a sample was designed and drawn, its cases, what its concluded cases
 * say about the rate of non-compliance and what they answered to each question, as data, as CSV
 * and as a readable HTML document. A pure function of the sample record, its top-ups, its cases
 * and its estimates (see sampling/estimates.ts), which it restates without computing anything new
 * but the rate of each row and the answers (question-answers.ts).
 *
 * The report of a first sample combines it with its top-ups, as its estimates do: their cases are
 * listed with its own, each naming the sample it came from, and counted in the rates and answers.
 */

import type { Finding } from '../review/finding.ts';
import { type QuestionSet, VERDICT_LABELS, type Verdict } from '../review/question-set.ts';
import {
  CONCLUDED_CASE_STATUSES,
  type OverallEstimate,
  type Proportion,
  type SampleEstimates,
} from '../sampling/estimates.ts';
import type { SampleRecord } from '../sampling/sample.ts';
import type { Interval, StratifiedIntervalMethod } from '../sampling/statistics.ts';
import { type CsvCell, longRows, toCsv } from './csv.ts';
import { escapeHtml, formatNumber, formatPercent, htmlDocument, htmlTable } from './html.ts';
import {
  compareKeys,
  type QuestionAnswers,
  questionAnswers,
  questionAnswersCsvRows,
  questionAnswersHtml,
} from './question-answers.ts';
import { intervalChart } from './svg.ts';

export type { SampleEstimates };

/** One review case a pick of the sample (or of one of its top-ups) opened. */
export interface SampleReportCase {
  readonly caseId: string;
  /** The sample whose pick opened the case: the report's sample or one of its top-ups. */
  readonly sampleId: string;
  readonly stratum: string;
  /** The pick's HMAC rank under the seed (see docs/sampling.md). */
  readonly rank: string;
  readonly decisionId: string;
  /** The crime reference as imported: pseudonymised by a keyed hash, not the force's reference. */
  readonly crimeReference: string;
  /** A CaseStatus. */
  readonly status: string;
  readonly verdict?: string;
  readonly concludedBy?: 'agreement' | 'moderation';
  readonly sittingId?: string;
  /** A concluded case's findings in the sitting it concluded in (any versions); none before. */
  readonly findings: readonly Finding[];
}

export interface SampleReportInput {
  readonly sample: SampleRecord;
  /** The sample's drawn top-ups, whose cases the report combines with its own (none for a top-up). */
  readonly topUps?: readonly SampleRecord[];
  /** The cases of the sample and its top-ups. */
  readonly cases?: readonly SampleReportCase[];
  /** Every question set version any finding answered. */
  readonly questionSets?: readonly QuestionSet[];
  readonly estimates: SampleEstimates;
  /** When the report was made (ISO date-time), passed in: the report never reads the clock. */
  readonly generatedAt: string;
}

/** A sample the report combines: the report's own, or one of its top-ups. */
export interface CombinedSample {
  readonly sampleId: string;
  readonly role: 'sample' | 'top-up';
  readonly label: string | null;
  readonly selectedAt: string | null;
  readonly drawnSize: number | null;
  /** Review cases its picks opened (a pick under review elsewhere opens none). */
  readonly cases: number;
  readonly concluded: number;
}

/** A case as the report lists it: no findings, no free text. */
export type ReportCase = Omit<SampleReportCase, 'findings' | 'verdict' | 'concludedBy' | 'sittingId'> & {
  readonly verdict: string | null;
  readonly concludedBy: 'agreement' | 'moderation' | null;
  readonly sittingId: string | null;
};

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
  /** Cases whose verdict was "cannot conclude": in neither side of the rate. */
  readonly excluded: number;
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
  /** The samples whose cases the report lists and counts: this one first, then its top-ups. */
  readonly samples: readonly CombinedSample[];
  /** By sample (in the order of `samples`), then stratum, then rank: the order they were drawn in. */
  readonly cases: readonly ReportCase[];
  /** Per question, what the concluded cases answered (see question-answers.ts). */
  readonly answers: readonly QuestionAnswers[];
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
    excluded: proportion.excluded,
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
    excluded: overall.excluded,
    nonCompliant: overall.nonCompliant,
    rate: overall.rate ?? null,
    wilson: overall.wilson ?? null,
    clopperPearson: overall.clopperPearson ?? null,
    method: overall.method ?? null,
    standardError: overall.standardError ?? null,
    effectiveSampleSize: overall.effectiveSampleSize ?? null,
  };
}

const isConcluded = (reviewCase: SampleReportCase) => CONCLUDED_CASE_STATUSES.includes(reviewCase.status);

/** The dip-sample report as data. */
export function buildSampleReport(input: SampleReportInput): SampleReport {
  const { sample, estimates } = input;
  const design = sample.request.design;
  const combined = [sample, ...(input.topUps ?? [])];
  const order = new Map(combined.map((record, index) => [record.sampleId, index]));
  const cases = [...(input.cases ?? [])].sort(
    (a, b) =>
      (order.get(a.sampleId) ?? combined.length) - (order.get(b.sampleId) ?? combined.length) ||
      compareKeys(a.stratum, b.stratum) ||
      compareKeys(a.rank, b.rank) ||
      compareKeys(a.caseId, b.caseId),
  );
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
    samples: combined.map((record, index) => {
      const own = cases.filter((c) => c.sampleId === record.sampleId);
      return {
        sampleId: record.sampleId,
        role: index === 0 ? 'sample' : 'top-up',
        label: record.label ?? null,
        selectedAt: record.selectedAt ?? null,
        drawnSize: record.drawnSize ?? null,
        cases: own.length,
        concluded: own.filter(isConcluded).length,
      };
    }),
    cases: cases.map(
      ({ findings: _findings, verdict, concludedBy, sittingId, ...listed }): ReportCase => ({
        ...listed,
        verdict: verdict ?? null,
        concludedBy: concludedBy ?? null,
        sittingId: sittingId ?? null,
      }),
    ),
    answers: questionAnswers(input.questionSets ?? [], cases.filter(isConcluded)),
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

const CSV_HEADER = ['section', 'key', 'metric', 'value'] as const;

const estimateRows = (row: EstimateRow): CsvCell[][] =>
  longRows('estimate', row.scope, [
    ['population', row.population],
    ['weight', row.weight],
    ['drawn', row.drawn],
    ['concluded', row.concluded],
    ['excluded', row.excluded],
    ['non_compliant', row.nonCompliant],
    ['rate', row.rate],
    ['wilson_low', row.wilson?.lower],
    ['wilson_high', row.wilson?.upper],
    ['cp_low', row.clopperPearson?.lower],
    ['cp_high', row.clopperPearson?.upper],
    ['interval_method', row.method],
    ['standard_error', row.standardError],
    ['effective_sample_size', row.effectiveSampleSize],
  ]);

/**
 * The report as one long `section,key,metric,value` table, as the sitting report's, to filter in
 * a spreadsheet:
 * - `sample`: each sample combined (this one, then its top-ups): role, label, drawn, cases, concluded;
 * - `estimate`: each stratum drawn from, then `overall` (the population's rate, weighted by stratum
 *   size, with intervals from the effective sample size: interval_method says which) and, for a
 *   stratified design, `unweighted` (all concluded cases pooled: not the population's rate);
 * - `answers`: per question, the cases answered yes, partly and no, with their shares and Wilson
 *   intervals, and the cases left out of the shares;
 * - `case`: each case, with the sample it came from, its stratum, rank, decision, pseudonymised
 *   crime reference, status and verdict.
 * Rates, shares and bounds are proportions (0 to 1) in full precision; a figure there is none of
 * yet has an empty value.
 */
export function sampleReportCsv(report: SampleReport): string {
  const rows = [...report.strata, report.overall, ...(report.unweighted ? [report.unweighted] : [])];
  return toCsv(CSV_HEADER, [
    ...report.samples.flatMap((sample) =>
      longRows('sample', sample.sampleId, [
        ['role', sample.role],
        ['label', sample.label],
        ['drawn', sample.drawnSize],
        ['cases', sample.cases],
        ['concluded', sample.concluded],
      ]),
    ),
    ...rows.flatMap(estimateRows),
    ...questionAnswersCsvRows(report.answers),
    ...report.cases.flatMap((c) =>
      longRows('case', c.caseId, [
        ['sample_id', c.sampleId],
        ['stratum', c.stratum],
        ['rank', c.rank],
        ['decision_id', c.decisionId],
        ['crime_reference', c.crimeReference],
        ['status', c.status],
        ['verdict', c.verdict],
        ['concluded_by', c.concludedBy],
        ['sitting_id', c.sittingId],
      ]),
    ),
  ]);
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

  const concluded = report.cases.filter((c) => CONCLUDED_CASE_STATUSES.includes(c.status)).length;
  const combined = section(
    'Samples combined',
    (report.topUpOf
      ? paragraph(
          `This is a top-up of ${report.topUpOf}: its own cases only. The report of ${report.topUpOf} ` +
            'lists and counts them with that sample’s.',
        )
      : paragraph(
          report.samples.length > 1
            ? 'The cases of this sample’s top-ups are listed and counted with its own: a top-up takes the ' +
                'next-lowest ranks of the same population, so together they are one sample of it.'
            : 'This sample has no top-up.',
        )) +
      htmlTable(
        ['Sample', 'Role', 'Label', 'Selected', 'Drawn', 'Cases', 'Concluded'],
        report.samples.map((sample) => [
          sample.sampleId,
          sample.role === 'sample' ? 'this sample' : 'top-up',
          orDash(sample.label),
          orDash(sample.selectedAt),
          orDash(sample.drawnSize),
          sample.cases,
          sample.concluded,
        ]),
      ),
  );
  const answers = section(
    'Answers to the questions',
    paragraph(`Over the ${concluded} concluded cases; cases not yet concluded are not counted.`) +
      questionAnswersHtml(report.answers),
  );
  const cases = section(
    'Cases',
    report.cases.length === 0
      ? paragraph('No review case has been opened.')
      : paragraph(
          'Every review case a pick opened, in the order drawn. The crime reference is the pseudonymised one ' +
            'the import stored, not the force’s own.',
        ) +
          htmlTable(
            ['Case', 'Sample', 'Stratum', 'Decision', 'Crime reference (pseudonymised)', 'Status', 'Verdict'],
            report.cases.map((c) => [
              c.caseId,
              c.sampleId,
              c.stratum,
              c.decisionId,
              c.crimeReference,
              c.status,
              c.verdict === null ? '—' : (VERDICT_LABELS[c.verdict as Verdict] ?? c.verdict),
            ]),
          ),
  );

  return htmlDocument(
    `Dip-sample report: ${report.sampleId}`,
    summary + combined + estimates + answers + cases,
  );
}
