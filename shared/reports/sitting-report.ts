/**
 * The sitting report: what a sitting of the Rape Scrutiny Panel concluded, as data (JSON as it
 * stands), as one long CSV table and as a readable HTML document.
 *
 * It carries counts, codes and tags, never a case's free text, except the text and owner of each
 * recommendation, which the force has to act on. Everything is a pure function of the input: the
 * time of writing is passed in and every list has a fixed order, so the same input gives the same
 * bytes.
 */
import { CASE_STATUSES } from '../cases/review-case.ts';
import type { Decision } from '../decisions/decision.ts';
import type { Sitting } from '../panels/panel.ts';
import { RECOMMENDATION_STATUSES, type Recommendation } from '../recommendations/recommendation.ts';
import {
  agreement,
  cohensKappaInterval,
  type KappaInterval,
  leaveOut,
  type Ratings,
  rawAgreement,
  type WeightedKappa,
  weightedKappa,
} from '../review/agreement.ts';
import { type Finding, latestVersions } from '../review/finding.ts';
import {
  ORDERED_VERDICTS,
  type QuestionSet,
  VERDICT_LABELS,
  VERDICTS,
  type Verdict,
} from '../review/question-set.ts';
import { type CsvCell, toCsv } from './csv.ts';
import { escapeHtml, formatNumber, formatPercent, htmlDocument, htmlTable } from './html.ts';
import {
  compareKeys,
  type QuestionAnswers,
  questionAnswers,
  questionAnswersCsvRows,
  questionAnswersHtml,
  questionOrder,
} from './question-answers.ts';
import { barChart } from './svg.ts';

export interface SittingReportCase {
  readonly caseId: string;
  /** A CaseStatus: OPEN, ASSIGNED, IN_REVIEW, MODERATION, CONCLUDED, CARRIED_OVER, ... */
  readonly status: string;
  /** The case's verdict once concluded (a VERDICTS value). */
  readonly verdict?: string;
  readonly concludedBy?: 'agreement' | 'moderation';
  readonly origin: 'dip-sample' | 'nomination';
  readonly decision: Pick<
    Decision,
    'outcomeCode' | 'outcomeCategory' | 'decidingBody' | 'unit' | 'decisionType' | 'offenceGroup'
  >;
  /** The findings of a decided case (any versions; the latest that counts of each reviewer is used); none before. */
  readonly findings: readonly Finding[];
}

export interface SittingReportInput {
  readonly sitting: Sitting;
  /** When the report was made (ISO date-time), passed in: the report never reads the clock. */
  readonly generatedAt: string;
  /** Every question set version any finding answered. */
  readonly questionSets: readonly QuestionSet[];
  readonly cases: readonly SittingReportCase[];
  readonly recommendations: readonly Recommendation[];
}

export type VerdictCounts = Readonly<Record<Verdict, number>>;

/** One row of a cross-tabulation of concluded cases' verdicts. */
export interface CrossTabRow {
  readonly key: string;
  readonly counts: VerdictCounts;
  readonly total: number;
}

/**
 * Landis and Koch's bands for kappa (J. R. Landis and G. G. Koch, "The measurement of observer
 * agreement for categorical data", Biometrics 33 (1977) 159-174): below 0 poor, 0-0.20 slight,
 * 0.21-0.40 fair, 0.41-0.60 moderate, 0.61-0.80 substantial, 0.81-1 almost perfect. The bands are
 * a convention for talking about kappa, not a test: with the few cases a sitting has, a kappa is
 * imprecise and one band either side is well within its error.
 */
export type KappaBand = 'poor' | 'slight' | 'fair' | 'moderate' | 'substantial' | 'almost perfect';

export type AgreementMethod = 'cohen' | 'fleiss';

/** One call of agreement() over items that all have the same number of ratings. */
export interface KappaResult {
  /** What agreement() used: Cohen's kappa for two ratings per item, Fleiss' for more. */
  readonly method: AgreementMethod;
  /** Ratings per item. */
  readonly raters: number;
  readonly items: number;
  /** The share of items on which every reviewer chose the same (rawAgreement). */
  readonly rawAgreement: number;
  /** p_o (Cohen) or P̄ (Fleiss): for Fleiss, the share of agreeing reviewer pairs, not of items. */
  readonly observed: number;
  readonly expected: number;
  /** Null when every rating is the same category, so chance agreement is 1 and kappa is 0/0. */
  readonly kappa: number | null;
  readonly interpretation: KappaBand | null;
  /** Cohen's kappa's standard error and 95% interval (Fleiss, Cohen and Everitt 1969); null for Fleiss'. */
  readonly interval: KappaInterval | null;
}

/**
 * Agreement on one measure (the verdict, one question, or the sitting's pooled questions). Items
 * rated by fewer than two reviewers say nothing about agreement and are left out (`skipped`).
 *
 * agreement() needs the same number of ratings on every item (Cohen for 2, Fleiss refuses a mix),
 * while a case may have 2 or 3 reviewers and a reviewer may leave a question unanswered. So the
 * items are grouped by how many ratings they have and each group gets its own kappa (`byRaters`,
 * fewest ratings first). The top-level method, observed, expected, kappa and interpretation are
 * the single group's when there is one, `mixed` and null when there are several, and null when no
 * item could be counted. Raw agreement is over every counted item.
 */
export interface AgreementMeasure {
  /** `verdict`, `question:<questionId>` or `sitting`. */
  readonly key: string;
  readonly label: string;
  /** Items rated by two or more reviewers. */
  readonly items: number;
  /** Items rated by only one reviewer (a question the others left unanswered). */
  readonly skipped: number;
  readonly rawAgreement: number | null;
  readonly method: AgreementMethod | 'mixed' | null;
  readonly raters: number | null;
  readonly observed: number | null;
  readonly expected: number | null;
  readonly kappa: number | null;
  readonly interpretation: KappaBand | null;
  /** The single group's interval (see KappaResult); null when mixed or Fleiss'. */
  readonly interval: KappaInterval | null;
  readonly byRaters: readonly KappaResult[];
  /**
   * Questions only: the `not_applicable` answers left out (each taken as no rating), so an item
   * where one reviewer said the question does not apply has one rating fewer, and is skipped when
   * that leaves fewer than two.
   */
  readonly notApplicable?: number;
  /**
   * The verdict only: linear and quadratic weighted kappa on the ordered verdict scale
   * (ORDERED_VERDICTS), over the cases two reviewers found on, "cannot conclude" left out.
   */
  readonly weighted?: { readonly linear: WeightedKappa; readonly quadratic: WeightedKappa } | null;
}

export interface QuestionAgreement extends AgreementMeasure {
  readonly questionId: string;
  /** The question as the latest version holding it asks it. */
  readonly text: string;
}

export interface RecommendationLine {
  readonly recommendationId: string;
  readonly caseId: string;
  readonly text: string;
  readonly owner: string;
  readonly dueDate: string;
  readonly status: Recommendation['status'];
}

export interface SittingReport {
  readonly header: {
    readonly sittingId: string;
    readonly panelId: string;
    readonly date: string;
    readonly findingsDeadline: string;
    readonly generatedAt: string;
    readonly cases: number;
    /** Every case status in lifecycle order, zeros included, then any other status seen. */
    readonly casesByStatus: Readonly<Record<string, number>>;
    readonly casesByOrigin: { readonly 'dip-sample': number; readonly nomination: number };
  };
  readonly verdicts: {
    /** Concluded cases (CONCLUDED or CLOSED) per verdict, every verdict listed. */
    readonly counts: VerdictCounts;
    readonly concluded: number;
    readonly byAgreement: number;
    readonly byModeration: number;
    /** Concluded cases whose verdict is missing or not one of VERDICTS (left out of the cross-tabs too). */
    readonly withoutVerdict: number;
    readonly carriedOver: number;
  };
  readonly byOutcomeCode: readonly CrossTabRow[];
  readonly byDecidingBody: readonly CrossTabRow[];
  readonly byUnit: readonly CrossTabRow[];
  /**
   * Tag → how many of the sitting's cases (concluded or not) have a finding carrying it; most
   * common first, then by tag.
   */
  readonly themes: readonly { readonly theme: string; readonly cases: number }[];
  readonly recommendations: {
    /** By due date, then case, then id. */
    readonly items: readonly RecommendationLine[];
    readonly byStatus: Readonly<Record<Recommendation['status'], number>>;
  };
  /**
   * Per question, what the concluded cases answered: yes, partly and no as shares of the cases
   * answered on that scale, with Wilson 95% intervals (see question-answers.ts).
   */
  readonly answers: readonly QuestionAnswers[];
  readonly agreement: {
    readonly verdict: AgreementMeasure;
    readonly perQuestion: readonly QuestionAgreement[];
    /** Every case × question item of the sitting pooled. */
    readonly sitting: AgreementMeasure;
  };
}

/**
 * A case counts as concluded once CONCLUDED and stays so when CLOSED (its recommendations done),
 * as nominations.ts counts it; a report made after closing must not lose its verdicts.
 */
const CONCLUDED_STATUSES: readonly string[] = ['CONCLUDED', 'CLOSED'];

const isVerdict = (value: string | undefined): value is Verdict =>
  value !== undefined && (VERDICTS as readonly string[]).includes(value);

const zeroVerdicts = (): Record<Verdict, number> =>
  Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Record<Verdict, number>;

/**
 * Each reviewer's latest finding, in reviewer id order. The order fixes which reviewer is Cohen's
 * "first rater" on each case, which changes p_e (not p_o) when the panel's reviewers differ from
 * case to case; reviewer id order is arbitrary but the same on every run.
 */
function currentFindings(findings: readonly Finding[]): Finding[] {
  return [...latestVersions(findings).values()].sort((a, b) => compareKeys(a.reviewerId, b.reviewerId));
}

/** Kappa's Landis and Koch band; kappa is rounded to 9 decimals first so 0.4 computed as 0.4000000000000001 stays fair. */
export function kappaBand(kappa: number | null): KappaBand | null {
  if (kappa === null) return null;
  const k = Math.round(kappa * 1e9) / 1e9;
  if (k < 0) return 'poor';
  if (k <= 0.2) return 'slight';
  if (k <= 0.4) return 'fair';
  if (k <= 0.6) return 'moderate';
  if (k <= 0.8) return 'substantial';
  return 'almost perfect';
}

const ratingCount = (item: Ratings) => item.filter((rating) => rating !== null).length;

/** Agreement over the items, grouped by their number of ratings (see AgreementMeasure). */
export function agreementMeasure(key: string, label: string, items: readonly Ratings[]): AgreementMeasure {
  const counted = items.filter((item) => ratingCount(item) >= 2);
  const groups = new Map<number, Ratings[]>();
  for (const item of counted) {
    const n = ratingCount(item);
    groups.set(n, [...(groups.get(n) ?? []), item]);
  }
  const byRaters = [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, group]): KappaResult => {
      const result = agreement(group);
      return {
        // agreement() takes Cohen exactly when every item has two ratings, and says so by raters = 2.
        method: result.raters === 2 ? 'cohen' : 'fleiss',
        raters: result.raters,
        items: result.items,
        rawAgreement: rawAgreement(group),
        observed: result.observed,
        expected: result.expected,
        kappa: result.kappa,
        interpretation: kappaBand(result.kappa),
        interval: result.raters === 2 ? cohensKappaInterval(pairsOf(group)) : null,
      };
    });
  const [single] = byRaters;
  const one = byRaters.length === 1 && single !== undefined ? single : undefined;
  return {
    key,
    label,
    items: counted.length,
    skipped: items.length - counted.length,
    rawAgreement: counted.length > 0 ? rawAgreement(counted) : null,
    method: one ? one.method : byRaters.length > 1 ? 'mixed' : null,
    raters: one ? one.raters : null,
    observed: one ? one.observed : null,
    expected: one ? one.expected : null,
    kappa: one ? one.kappa : null,
    interpretation: one ? one.interpretation : null,
    interval: one ? one.interval : null,
    byRaters,
  };
}

/** Each item's two ratings, in the order given (for Cohen's kappa, as agreement() pairs them). */
function pairsOf(items: readonly Ratings[]): [string, string][] {
  return items.flatMap((item) => {
    const [a, b, ...more] = item.filter((rating): rating is string => rating !== null);
    return a !== undefined && b !== undefined && more.length === 0 ? [[a, b] as [string, string]] : [];
  });
}

/** Weighted kappa of the verdict over the cases with exactly two reviewers; null when there are none. */
export function verdictWeightedKappa(
  items: readonly Ratings[],
): { linear: WeightedKappa; quadratic: WeightedKappa } | null {
  const pairs = pairsOf(items);
  if (pairs.length === 0) return null;
  return {
    linear: weightedKappa(pairs, ORDERED_VERDICTS, 'linear'),
    quadratic: weightedKappa(pairs, ORDERED_VERDICTS, 'quadratic'),
  };
}

function crossTab(
  cases: readonly SittingReportCase[],
  keyOf: (reviewCase: SittingReportCase) => string,
): CrossTabRow[] {
  const rows = new Map<string, Record<Verdict, number>>();
  for (const reviewCase of cases) {
    if (!isVerdict(reviewCase.verdict)) continue;
    const key = keyOf(reviewCase);
    const counts = rows.get(key) ?? zeroVerdicts();
    counts[reviewCase.verdict] += 1;
    rows.set(key, counts);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([key, counts]) => ({
      key,
      counts,
      total: VERDICTS.reduce((sum, verdict) => sum + counts[verdict], 0),
    }));
}

/** The sitting report as data. */
export function buildSittingReport(input: SittingReportInput): SittingReport {
  const { sitting } = input;
  // Case order fixes the order in which floating-point sums (Fleiss' P̄) are taken.
  const cases = [...input.cases].sort((a, b) => compareKeys(a.caseId, b.caseId));

  const casesByStatus: Record<string, number> = Object.fromEntries(
    CASE_STATUSES.map((status) => [status, 0]),
  );
  const otherStatuses = [...new Set(cases.map((c) => c.status))]
    .filter((status) => !(status in casesByStatus))
    .sort(compareKeys);
  for (const status of otherStatuses) casesByStatus[status] = 0;
  for (const reviewCase of cases)
    casesByStatus[reviewCase.status] = (casesByStatus[reviewCase.status] ?? 0) + 1;

  const concluded = cases.filter((c) => CONCLUDED_STATUSES.includes(c.status));
  const counts = zeroVerdicts();
  for (const reviewCase of concluded) {
    if (isVerdict(reviewCase.verdict)) counts[reviewCase.verdict] += 1;
  }

  const themeCases = new Map<string, number>();
  for (const reviewCase of cases) {
    const tags = new Set(reviewCase.findings.flatMap((finding) => finding.themes));
    for (const tag of tags) themeCases.set(tag, (themeCases.get(tag) ?? 0) + 1);
  }

  const byStatus = Object.fromEntries(RECOMMENDATION_STATUSES.map((status) => [status, 0])) as Record<
    Recommendation['status'],
    number
  >;
  for (const recommendation of input.recommendations) byStatus[recommendation.status] += 1;
  const items = input.recommendations
    .map(
      (r): RecommendationLine => ({
        recommendationId: r.recommendationId,
        caseId: r.caseId,
        text: r.text,
        owner: r.owner,
        dueDate: r.dueDate,
        status: r.status,
      }),
    )
    .sort(
      (a, b) =>
        compareKeys(a.dueDate, b.dueDate) ||
        compareKeys(a.caseId, b.caseId) ||
        compareKeys(a.recommendationId, b.recommendationId),
    );

  // Agreement: only cases two or more reviewers have found on say anything about agreement.
  const reviewed = cases
    .map((reviewCase) => currentFindings(reviewCase.findings))
    .filter((findings) => findings.length >= 2);
  const questions = questionOrder(
    input.questionSets,
    cases.flatMap((c) => c.findings),
  );
  // A question's items, "not applicable" answers left out (counted), then items nobody rated dropped.
  const questionItems = (questionId: string) => {
    const answered = leaveOut(
      reviewed.map((findings) => findings.map((finding) => finding.answers[questionId]?.code ?? null)),
      'not_applicable',
    );
    return {
      items: answered.items.filter((item) => item.some((code) => code !== null)),
      notApplicable: answered.leftOut,
    };
  };
  const itemsByQuestion = questions.map((question) => ({
    ...question,
    ...questionItems(question.questionId),
  }));
  const perQuestion = itemsByQuestion.map(
    ({ questionId, text, items, notApplicable }): QuestionAgreement => ({
      ...agreementMeasure(`question:${questionId}`, text, items),
      notApplicable,
      questionId,
      text,
    }),
  );
  const verdictItems = reviewed.map((findings) => findings.map((finding) => finding.verdict));
  const pooled = itemsByQuestion.flatMap(({ items }) => items);
  const pooledNotApplicable = itemsByQuestion.reduce((sum, { notApplicable }) => sum + notApplicable, 0);

  return {
    header: {
      sittingId: sitting.sittingId,
      panelId: sitting.panelId,
      date: sitting.date,
      findingsDeadline: sitting.findingsDeadline,
      generatedAt: input.generatedAt,
      cases: cases.length,
      casesByStatus,
      casesByOrigin: {
        'dip-sample': cases.filter((c) => c.origin === 'dip-sample').length,
        nomination: cases.filter((c) => c.origin === 'nomination').length,
      },
    },
    verdicts: {
      counts,
      concluded: concluded.length,
      byAgreement: concluded.filter((c) => c.concludedBy === 'agreement').length,
      byModeration: concluded.filter((c) => c.concludedBy === 'moderation').length,
      withoutVerdict: concluded.filter((c) => !isVerdict(c.verdict)).length,
      carriedOver: cases.filter((c) => c.status === 'CARRIED_OVER').length,
    },
    byOutcomeCode: crossTab(
      concluded,
      (c) => c.decision.outcomeCode ?? c.decision.outcomeCategory ?? 'unknown',
    ),
    byDecidingBody: crossTab(concluded, (c) => c.decision.decidingBody ?? 'unknown'),
    byUnit: crossTab(concluded, (c) => c.decision.unit ?? 'unknown'),
    themes: [...themeCases.entries()]
      .map(([theme, count]) => ({ theme, cases: count }))
      .sort((a, b) => b.cases - a.cases || compareKeys(a.theme, b.theme)),
    recommendations: { items, byStatus },
    answers: questionAnswers(input.questionSets, concluded),
    agreement: {
      verdict: {
        ...agreementMeasure('verdict', 'Verdict', verdictItems),
        weighted: verdictWeightedKappa(verdictItems),
      },
      perQuestion,
      sitting: {
        ...agreementMeasure('sitting', 'All questions, pooled', pooled),
        notApplicable: pooledNotApplicable,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

const CSV_HEADER = ['section', 'key', 'metric', 'value'] as const;

const intervalRows = (key: string, interval: KappaInterval | null): CsvCell[][] => [
  ['agreement', key, 'kappa_standard_error', interval?.standardError],
  ['agreement', key, 'kappa_ci95_low', interval?.lower],
  ['agreement', key, 'kappa_ci95_high', interval?.upper],
];

function agreementRows(measure: AgreementMeasure, extra: readonly CsvCell[][] = []): CsvCell[][] {
  const rows: CsvCell[][] = [
    ...extra,
    ['agreement', measure.key, 'method', measure.method],
    ['agreement', measure.key, 'items', measure.items],
    ['agreement', measure.key, 'skipped', measure.skipped],
    ['agreement', measure.key, 'raw_agreement', measure.rawAgreement],
    ['agreement', measure.key, 'raters', measure.raters],
    ['agreement', measure.key, 'observed', measure.observed],
    ['agreement', measure.key, 'expected', measure.expected],
    ['agreement', measure.key, 'kappa', measure.kappa],
    ...intervalRows(measure.key, measure.interval),
    ['agreement', measure.key, 'interpretation', measure.interpretation],
    ...(measure.notApplicable === undefined
      ? []
      : [['agreement', measure.key, 'not_applicable_left_out', measure.notApplicable]]),
  ];
  for (const weighted of measure.weighted ? [measure.weighted.linear, measure.weighted.quadratic] : []) {
    const key = `${measure.key}:${weighted.weights}`;
    rows.push(
      ['agreement', key, 'method', `cohen-weighted-${weighted.weights}`],
      ['agreement', key, 'scale', weighted.scale.join(' < ')],
      ['agreement', key, 'items', weighted.items],
      ['agreement', key, 'excluded', weighted.excluded],
      ['agreement', key, 'kappa', weighted.kappa],
      ...intervalRows(key, weighted.interval),
    );
  }
  if (measure.byRaters.length > 1) {
    for (const group of measure.byRaters) {
      const key = `${measure.key}:raters=${group.raters}`;
      rows.push(
        ['agreement', key, 'method', group.method],
        ['agreement', key, 'items', group.items],
        ['agreement', key, 'raw_agreement', group.rawAgreement],
        ['agreement', key, 'observed', group.observed],
        ['agreement', key, 'expected', group.expected],
        ['agreement', key, 'kappa', group.kappa],
        ...intervalRows(key, group.interval),
        ['agreement', key, 'interpretation', group.interpretation],
      );
    }
  }
  return rows;
}

function crossTabRows(section: string, rows: readonly CrossTabRow[]): CsvCell[][] {
  return rows.flatMap((row) => [
    ...VERDICTS.map((verdict): CsvCell[] => [section, row.key, verdict, row.counts[verdict]]),
    [section, row.key, 'total', row.total],
  ]);
}

/**
 * The report as one long table, `section,key,metric,value`, to filter in a spreadsheet. Numbers
 * are written in full; a measure with no value (a kappa of null) has an empty value.
 */
export function sittingReportCsv(report: SittingReport): string {
  const { header, verdicts } = report;
  const rows: CsvCell[][] = [
    ['sitting', header.sittingId, 'panel_id', header.panelId],
    ['sitting', header.sittingId, 'date', header.date],
    ['sitting', header.sittingId, 'findings_deadline', header.findingsDeadline],
    ['sitting', header.sittingId, 'generated_at', header.generatedAt],
    ['cases', 'all', 'cases', header.cases],
    ...Object.entries(header.casesByStatus).map(([status, count]): CsvCell[] => [
      'cases',
      status,
      'cases',
      count,
    ]),
    ['cases_by_origin', 'dip-sample', 'cases', header.casesByOrigin['dip-sample']],
    ['cases_by_origin', 'nomination', 'cases', header.casesByOrigin.nomination],
    ...VERDICTS.map((verdict): CsvCell[] => ['verdicts', verdict, 'cases', verdicts.counts[verdict]]),
    ['conclusion', 'concluded', 'cases', verdicts.concluded],
    ['conclusion', 'by_agreement', 'cases', verdicts.byAgreement],
    ['conclusion', 'by_moderation', 'cases', verdicts.byModeration],
    ['conclusion', 'without_verdict', 'cases', verdicts.withoutVerdict],
    ['conclusion', 'carried_over', 'cases', verdicts.carriedOver],
    ...crossTabRows('by_outcome_code', report.byOutcomeCode),
    ...crossTabRows('by_deciding_body', report.byDecidingBody),
    ...crossTabRows('by_unit', report.byUnit),
    ...report.themes.map(({ theme, cases }): CsvCell[] => ['themes', theme, 'cases', cases]),
    ...report.recommendations.items.flatMap((r): CsvCell[][] => [
      ['recommendation', r.recommendationId, 'case_id', r.caseId],
      ['recommendation', r.recommendationId, 'text', r.text],
      ['recommendation', r.recommendationId, 'owner', r.owner],
      ['recommendation', r.recommendationId, 'due_date', r.dueDate],
      ['recommendation', r.recommendationId, 'status', r.status],
    ]),
    ...Object.entries(report.recommendations.byStatus).map(([status, count]): CsvCell[] => [
      'recommendation_status',
      status,
      'recommendations',
      count,
    ]),
    ...questionAnswersCsvRows(report.answers),
    ...agreementRows(report.agreement.verdict),
    ...agreementRows(report.agreement.sitting),
    ...report.agreement.perQuestion.flatMap((measure) =>
      agreementRows(measure, [['agreement', measure.key, 'question_text', measure.text]]),
    ),
  ];
  return toCsv(CSV_HEADER, rows);
}

// ---------------------------------------------------------------------------------------------
// HTML

const VERDICT_COLOURS: Readonly<Record<Verdict, string>> = {
  consistent: '#00703c',
  appropriate_with_observations: '#1d70b8',
  inappropriate: '#d4351c',
  cannot_conclude: '#505a5f',
};

const METHOD_LABELS: Readonly<Record<AgreementMethod | 'mixed', string>> = {
  cohen: "Cohen's kappa",
  fleiss: "Fleiss' kappa",
  mixed: 'by number of reviewers (rows below)',
};

const section = (heading: string, content: string) => `<h2>${escapeHtml(heading)}</h2>\n${content}\n`;
const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`;

function crossTabTable(keyHeading: string, rows: readonly CrossTabRow[]): string {
  if (rows.length === 0) return paragraph('No case has concluded.');
  return htmlTable(
    [keyHeading, ...VERDICTS.map((verdict) => VERDICT_LABELS[verdict]), 'Total'],
    rows.map((row) => [row.key, ...VERDICTS.map((verdict) => row.counts[verdict]), row.total]),
  );
}

function agreementTableRows(measure: AgreementMeasure): unknown[][] {
  const mixed = measure.method === 'mixed';
  const row = (label: string, result: AgreementMeasure | KappaResult, method: string | null) => [
    label,
    method ?? '—',
    result.items,
    formatPercent(result.rawAgreement),
    mixed && result === measure ? 'see below' : formatNumber(result.kappa),
    mixed && result === measure ? 'see below' : kappaIntervalText(result.interval),
    mixed && result === measure ? 'see below' : (result.interpretation ?? '—'),
    result === measure && measure.notApplicable !== undefined ? measure.notApplicable : '—',
  ];
  const rows = [row(measure.label, measure, measure.method ? METHOD_LABELS[measure.method] : null)];
  if (mixed) {
    for (const group of measure.byRaters) {
      rows.push(row(`${measure.label} (rated by ${group.raters})`, group, METHOD_LABELS[group.method]));
    }
  }
  for (const weighted of measure.weighted ? [measure.weighted.linear, measure.weighted.quadratic] : []) {
    rows.push([
      `${measure.label}, ${weighted.weights} weights`,
      `Weighted kappa (${weighted.weights})`,
      weighted.items,
      '—',
      formatNumber(weighted.kappa),
      kappaIntervalText(weighted.interval),
      kappaBand(weighted.kappa) ?? '—',
      '—',
    ]);
  }
  return rows;
}

const kappaIntervalText = (interval: KappaInterval | null) =>
  interval ? `${formatNumber(interval.lower)} to ${formatNumber(interval.upper)}` : '—';

/** The report as a self-contained HTML document; every value is escaped. */
export function sittingReportHtml(report: SittingReport): string {
  const { header, verdicts } = report;
  const title = `Sitting report: ${header.sittingId} (${header.date})`;
  const statusRows = Object.entries(header.casesByStatus)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => [status, count]);

  const summary = section(
    'Summary',
    `<p class="meta">Panel ${escapeHtml(header.panelId)}; sitting on ${escapeHtml(header.date)}; findings due ${escapeHtml(
      header.findingsDeadline,
    )}; report generated ${escapeHtml(header.generatedAt)}.</p>` +
      htmlTable(['Case status', 'Cases'], [...statusRows, ['All cases', header.cases]]) +
      htmlTable(
        ['Origin', 'Cases'],
        [
          ['Dip sample', header.casesByOrigin['dip-sample']],
          ['Nomination', header.casesByOrigin.nomination],
        ],
      ),
  );

  const verdictSection = section(
    'Verdicts',
    barChart({
      title: 'Verdicts of concluded cases',
      bars: VERDICTS.map((verdict) => ({
        label: VERDICT_LABELS[verdict],
        value: verdicts.counts[verdict],
        color: VERDICT_COLOURS[verdict],
      })),
    }) +
      htmlTable(
        ['Verdict', 'Cases'],
        VERDICTS.map((verdict) => [VERDICT_LABELS[verdict], verdicts.counts[verdict]]),
      ) +
      paragraph(
        `${verdicts.concluded} cases concluded: ${verdicts.byAgreement} by the reviewers' agreement and ` +
          `${verdicts.byModeration} by the chair's moderation` +
          (verdicts.withoutVerdict > 0 ? `; ${verdicts.withoutVerdict} without a recorded verdict` : '') +
          `. ${verdicts.carriedOver} carried over to the next sitting.`,
      ),
  );

  const breakdowns =
    section('By outcome code', crossTabTable('Outcome code', report.byOutcomeCode)) +
    section('By deciding body', crossTabTable('Deciding body', report.byDecidingBody)) +
    section('By unit', crossTabTable('Unit', report.byUnit));

  const themes = section(
    'Themes',
    report.themes.length === 0
      ? paragraph('No finding recorded a theme.')
      : barChart({
          title: 'Cases per theme',
          bars: report.themes.map(({ theme, cases }) => ({ label: theme, value: cases })),
        }) +
          htmlTable(
            ['Theme', 'Cases'],
            report.themes.map(({ theme, cases }) => [theme, cases]),
          ),
  );

  const { items, byStatus } = report.recommendations;
  const recommendations = section(
    'Recommendations',
    (items.length === 0
      ? paragraph('No recommendations.')
      : htmlTable(
          ['Case', 'Recommendation', 'Owner', 'Due date', 'Status'],
          items.map((r) => [r.caseId, r.text, r.owner, r.dueDate, r.status]),
        )) + htmlTable(['Status', 'Recommendations'], Object.entries(byStatus)),
  );

  const { agreement: measures } = report;
  const agreementSection = section(
    'Agreement between reviewers',
    htmlTable(
      [
        'Measure',
        'Method',
        'Items',
        'Raw agreement',
        'Kappa',
        'Kappa 95% interval',
        'Interpretation',
        'Not applicable (left out)',
      ],
      [measures.verdict, measures.sitting, ...measures.perQuestion].flatMap(agreementTableRows),
    ) +
      paragraph(
        'Raw agreement is the share of items (a case, or a case and question) on which every reviewer chose ' +
          'the same answer. Kappa is the agreement beyond what chance would give: 1 is perfect agreement, 0 ' +
          'is no better than chance, below 0 worse than chance. Cohen’s kappa is used where two reviewers ' +
          'rated an item and Fleiss’ kappa where more did; items with different numbers of reviewers are ' +
          'measured separately, in the rows below the measure. Interpretation follows Landis and Koch (1977): below 0 poor, up to 0.20 ' +
          'slight, 0.21–0.40 fair, 0.41–0.60 moderate, 0.61–0.80 substantial, above 0.80 almost perfect. ' +
          'With the few cases of one sitting a kappa is imprecise; read it as a prompt for discussion, not ' +
          'a score. A dash for kappa means it cannot be computed: every rating was the same, so agreement ' +
          'beyond chance cannot be shown (or no item was rated by two reviewers). The 95% interval of ' +
          'Cohen’s kappa is kappa plus or minus 1.96 times its large-sample standard error (Fleiss, Cohen ' +
          'and Everitt 1969); Fleiss’ kappa is shown without one. The verdict also has weighted kappa ' +
          '(Cohen 1968) on its ordered scale, consistent, appropriate with observations, inappropriate, ' +
          'where a near miss counts as part agreement: linear weights 1 − |i − j|/2, quadratic ' +
          '1 − (i − j)²/4; cases a reviewer could not conclude are left out of it. On a question, an ' +
          'answer that the question does not apply is no rating on its scale, so it is left out (the last ' +
          'column counts them): a case where one reviewer said “not applicable” counts only the others’ ' +
          'answers, and is skipped when fewer than two remain.',
      ),
  );

  const answersSection = section(
    'Answers to the questions',
    paragraph(
      `Over the ${verdicts.concluded} concluded cases of the sitting; cases carried over or still in review are not counted.`,
    ) + questionAnswersHtml(report.answers),
  );

  return htmlDocument(
    title,
    summary + verdictSection + breakdowns + answersSection + themes + recommendations + agreementSection,
  );
}
