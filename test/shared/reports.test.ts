import { describe, expect, it } from 'vitest';
import type { Sitting } from '../../shared/panels/panel.ts';
import type { Recommendation } from '../../shared/recommendations/recommendation.ts';
import { guardFormula, toCsv } from '../../shared/reports/csv.ts';
import {
  buildSampleReport,
  type SampleEstimates,
  type SampleReportCase,
  sampleReportCsv,
  sampleReportHtml,
} from '../../shared/reports/sample-report.ts';
import {
  buildSittingReport,
  kappaBand,
  type SittingReportCase,
  type SittingReportInput,
  sittingReportCsv,
  sittingReportHtml,
} from '../../shared/reports/sitting-report.ts';
import { barChart, intervalChart } from '../../shared/reports/svg.ts';
import { agreement, cohensKappaInterval, type Ratings, rawAgreement } from '../../shared/review/agreement.ts';
import { type Finding, FindingSchema } from '../../shared/review/finding.ts';
import {
  type AnswerCode,
  ORDERED_VERDICTS,
  type QuestionSet,
  type Verdict,
} from '../../shared/review/question-set.ts';
import { estimateSample } from '../../shared/sampling/estimates.ts';
import type { SampleRecord } from '../../shared/sampling/sample.ts';
import { clopperPearsonInterval, wilsonInterval } from '../../shared/sampling/statistics.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: one sitting, built through the real schemas so they stay valid findings.

const SITTING: Sitting = {
  sittingId: 'sit_1',
  panelId: 'pan_1',
  date: '2026-05-14',
  findingsDeadline: '2026-05-07',
  status: 'IN_SESSION',
  agenda: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'],
  maxCases: 12,
  reviewersPerCase: 2,
};

const question = (questionId: string, text: string) => ({ questionId, text, required: true });

/** Version 2 rewords lines_of_enquiry, adds language and drops timeliness. */
const QUESTION_SETS: QuestionSet[] = [
  {
    version: 1,
    title: 'v1',
    publishedAt: '2026-01-01T00:00:00.000Z',
    publishedBy: 'admin',
    questions: [
      question('lines_of_enquiry', 'Old wording of lines of enquiry?'),
      question('victims_voice', "Was the victim's voice recorded?"),
      question('timeliness', 'Was it timely?'),
    ],
  },
  {
    version: 2,
    title: 'v2',
    publishedAt: '2026-03-01T00:00:00.000Z',
    publishedBy: 'admin',
    questions: [
      question('lines_of_enquiry', 'Were reasonable lines of enquiry pursued?'),
      question('language', 'Was the language appropriate?'),
      question('victims_voice', "Was the victim's voice recorded?"),
    ],
  },
];

function finding(
  caseId: string,
  reviewerId: string,
  verdict: Verdict,
  answers: Record<string, AnswerCode>,
  options: { themes?: string[]; version?: number; questionSetVersion?: number } = {},
): Finding {
  return FindingSchema.parse({
    findingId: `fnd_${caseId}_${reviewerId}`,
    caseId,
    sittingId: SITTING.sittingId,
    assignmentId: `asg_${caseId}_${reviewerId}`,
    reviewerId,
    version: options.version ?? 1,
    submittedAt: '2026-05-01T10:00:00.000Z',
    submittedBy: reviewerId,
    contentHash: 'hash',
    questionSetVersion: options.questionSetVersion ?? 2,
    answers: Object.fromEntries(
      Object.entries(answers).map(([id, code]) => [id, { code, rationale: 'because' }]),
    ),
    verdict,
    verdictRationale: 'reasons',
    themes: options.themes ?? [],
  });
}

const decision = (
  outcomeCode: string | undefined,
  decidingBody: 'police' | 'cps',
  unit: string | undefined,
  outcomeCategory?: string,
): SittingReportCase['decision'] => ({
  outcomeCode,
  outcomeCategory,
  decidingBody,
  unit,
  decisionType: decidingBody === 'cps' ? 'cps_nfa' : 'police_nfa',
  offenceGroup: 'rape',
});

/**
 * Seven cases. c1-c4 are concluded (c4 since closed), c5 has three reviewers and is in moderation,
 * c6 is carried over with one finding, c7 has none yet.
 */
const CASES: SittingReportCase[] = [
  {
    caseId: 'c1',
    status: 'CONCLUDED',
    verdict: 'consistent',
    concludedBy: 'agreement',
    origin: 'dip-sample',
    decision: decision('16', 'police', 'PPU'),
    findings: [
      finding(
        'c1',
        'r1',
        'consistent',
        { lines_of_enquiry: 'yes', language: 'yes', victims_voice: 'yes' },
        { themes: ['supervision', 'myths'] },
      ),
      finding(
        'c1',
        'r2',
        'consistent',
        { lines_of_enquiry: 'yes', language: 'yes', victims_voice: 'yes' },
        { themes: ['supervision'] },
      ),
    ],
  },
  {
    caseId: 'c2',
    status: 'CONCLUDED',
    verdict: 'inappropriate',
    concludedBy: 'moderation',
    origin: 'nomination',
    decision: decision('14', 'cps', undefined),
    findings: [
      finding(
        'c2',
        'r1',
        'inappropriate',
        { lines_of_enquiry: 'yes', language: 'partly', victims_voice: 'yes' },
        { themes: ['supervision'] },
      ),
      finding(
        'c2',
        'r3',
        'appropriate_with_observations',
        { lines_of_enquiry: 'no', language: 'partly', victims_voice: 'yes' },
        { themes: ['victim care'] },
      ),
    ],
  },
  {
    caseId: 'c3',
    status: 'CONCLUDED',
    verdict: 'consistent',
    concludedBy: 'agreement',
    origin: 'dip-sample',
    decision: decision(undefined, 'police', 'PPU', 'Investigation complete; no suspect identified'),
    findings: [
      // Answered version 1, so timeliness and not language.
      finding(
        'c3',
        'r2',
        'consistent',
        { lines_of_enquiry: 'no', victims_voice: 'yes', timeliness: 'partly' },
        { questionSetVersion: 1 },
      ),
      finding(
        'c3',
        'r3',
        'consistent',
        { lines_of_enquiry: 'no', victims_voice: 'yes', timeliness: 'no' },
        { questionSetVersion: 1 },
      ),
    ],
  },
  {
    caseId: 'c4',
    status: 'CLOSED',
    verdict: 'appropriate_with_observations',
    concludedBy: 'agreement',
    origin: 'nomination',
    decision: decision('16', 'police', 'CAIT'),
    findings: [
      finding('c4', 'r1', 'appropriate_with_observations', {
        lines_of_enquiry: 'no',
        language: 'yes',
        victims_voice: 'yes',
      }),
      finding('c4', 'r2', 'appropriate_with_observations', {
        lines_of_enquiry: 'yes',
        language: 'yes',
        victims_voice: 'yes',
      }),
    ],
  },
  {
    caseId: 'c5',
    status: 'MODERATION',
    origin: 'dip-sample',
    decision: decision('16', 'police', 'PPU'),
    findings: [
      // r2 left lines_of_enquiry unanswered; only r1 answered victims_voice.
      finding(
        'c5',
        'r1',
        'inappropriate',
        { lines_of_enquiry: 'yes', language: 'no', victims_voice: 'yes' },
        { themes: ['myths'] },
      ),
      finding('c5', 'r2', 'inappropriate', { language: 'no' }, { themes: ['myths'] }),
      finding('c5', 'r3', 'appropriate_with_observations', { lines_of_enquiry: 'yes', language: 'no' }),
    ],
  },
  {
    caseId: 'c6',
    status: 'CARRIED_OVER',
    origin: 'nomination',
    decision: decision('16', 'police', 'PPU'),
    findings: [finding('c6', 'r1', 'cannot_conclude', { language: 'yes' }, { themes: ['timeliness'] })],
  },
  {
    caseId: 'c7',
    status: 'IN_REVIEW',
    origin: 'dip-sample',
    decision: decision('16', 'police', 'PPU'),
    findings: [],
  },
];

function recommendation(
  recommendationId: string,
  caseId: string,
  dueDate: string,
  status: Recommendation['status'],
  text: string,
  owner: string,
): Recommendation {
  return {
    recommendationId,
    caseId,
    sittingId: SITTING.sittingId,
    source: { findingId: `fnd_${caseId}_r1` },
    text,
    owner,
    dueDate,
    status,
    createdAt: '2026-05-14T12:00:00.000Z',
  };
}

const RECOMMENDATIONS: Recommendation[] = [
  recommendation(
    'rec_b',
    'c2',
    '2026-09-30',
    'open',
    '<script>alert(1)</script> Review supervision of NFA decisions',
    'Head of PPU',
  ),
  recommendation('rec_c', 'c4', '2026-06-30', 'closed', 'Train, "refresh" and\nrecord', '+44 unit'),
  recommendation('rec_a', 'c1', '2026-06-30', 'overdue', '=HYPERLINK("http://x","click")', '-DCI Smith'),
];

const INPUT: SittingReportInput = {
  sitting: SITTING,
  generatedAt: '2026-05-20T09:00:00.000Z',
  questionSets: QUESTION_SETS,
  cases: CASES,
  recommendations: RECOMMENDATIONS,
};

/** The CSV's records without their CRLF, for finding one line. */
const csvLines = (csv: string) => csv.split('\r\n');

// ---------------------------------------------------------------------------------------------

describe('toCsv', () => {
  it('quotes fields holding a comma, quote, CR or LF, doubles quotes and ends every record in CRLF', () => {
    // Prepare / Act
    const csv = toCsv(
      ['a', 'b'],
      [
        ['x,y', 'say "hi"'],
        ['line\nbreak', 'carriage\rreturn'],
        ['plain', null],
      ],
    );

    // Assess
    expect(csv).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak","carriage\rreturn"\r\nplain,\r\n');
  });

  it('prefixes text beginning with = + - @ tab or CR with a single quote, and leaves numbers alone', () => {
    // Prepare
    const texts = ['=1+1', '+44', '-2', '@SUM(A1)', '\tcmd', '\rcmd', 'a=b', "'quoted"];

    // Act
    const guarded = texts.map(guardFormula);
    const csv = toCsv(['n', 'text'], [[-0.5, '-0.5']]);

    // Assess
    expect(guarded).toEqual(["'=1+1", "'+44", "'-2", "'@SUM(A1)", "'\tcmd", "'\rcmd", 'a=b', "'quoted"]);
    expect(csv).toBe("n,text\r\n-0.5,'-0.5\r\n");
  });

  it('refuses a row of the wrong width and a number that is not finite', () => {
    expect(() => toCsv(['a', 'b'], [['only one']])).toThrow(RangeError);
    expect(() => toCsv(['a'], [[Number.NaN]])).toThrow(RangeError);
  });
});

describe('svg charts', () => {
  it('draw an accessible bar chart with every label escaped and the counts printed', () => {
    // Act
    const svg = barChart({
      title: 'Counts <by> kind',
      bars: [
        { label: '<img src=x onerror=alert(1)>', value: 3 },
        { label: 'none', value: 0 },
      ],
    });

    // Assess
    expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*aria-label="Counts &lt;by&gt; kind"/);
    expect(svg).toContain('<title>Counts &lt;by&gt; kind</title>');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).not.toContain('<img');
    expect(svg).toMatch(/>3<\/text>/);
    expect(svg).toMatch(/>0<\/text>/);
  });

  it('draw an interval chart with whiskers on a 0-100% axis, and say when a row has no estimate', () => {
    // Act
    const svg = intervalChart({
      title: 'Rates',
      rows: [
        { label: 'A', estimate: 0.25, lower: 0.1, upper: 0.5 },
        { label: 'B', estimate: null, lower: null, upper: null },
      ],
    });

    // Assess
    expect(svg).toContain('role="img"');
    expect(svg).toContain('>0%</text>');
    expect(svg).toContain('>100%</text>');
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).toContain('25.0% (10.0% to 50.0%)');
    expect(svg).toContain('no estimate');
  });
});

describe('kappaBand', () => {
  it('follows Landis and Koch, with the upper bound of each band inside it', () => {
    expect([-0.1, 0, 0.2, 0.21, 0.4, 0.6, 0.61, 0.8, 0.81, 1, null].map(kappaBand)).toEqual([
      'poor',
      'slight',
      'slight',
      'fair',
      'fair',
      'moderate',
      'substantial',
      'substantial',
      'almost perfect',
      'almost perfect',
      null,
    ]);
    // 0.4 reached through floating point still reads as fair.
    expect(kappaBand(0.1 * 3 + 0.1)).toBe('fair');
  });
});

describe('buildSittingReport', () => {
  const report = buildSittingReport(INPUT);

  it('counts cases by status and origin', () => {
    expect(report.header).toMatchObject({
      sittingId: 'sit_1',
      panelId: 'pan_1',
      date: '2026-05-14',
      generatedAt: '2026-05-20T09:00:00.000Z',
      cases: 7,
      casesByOrigin: { 'dip-sample': 4, nomination: 3 },
    });
    expect(report.header.casesByStatus).toEqual({
      OPEN: 0,
      ROUTING: 0,
      ASSIGNED: 0,
      IN_REVIEW: 1,
      MODERATION: 1,
      CONCLUDED: 3,
      CLOSED: 1,
      WITHDRAWN: 0,
      CARRIED_OVER: 1,
    });
  });

  it('counts the verdicts of concluded (and closed) cases, every verdict listed', () => {
    expect(report.verdicts).toEqual({
      counts: { consistent: 2, appropriate_with_observations: 1, inappropriate: 1, cannot_conclude: 0 },
      concluded: 4,
      byAgreement: 3,
      byModeration: 1,
      withoutVerdict: 0,
      carriedOver: 1,
    });
  });

  it('cross-tabulates verdicts by outcome code, deciding body and unit, in natural key order', () => {
    const zero = { consistent: 0, appropriate_with_observations: 0, inappropriate: 0, cannot_conclude: 0 };
    expect(report.byOutcomeCode).toEqual([
      { key: '14', counts: { ...zero, inappropriate: 1 }, total: 1 },
      { key: '16', counts: { ...zero, consistent: 1, appropriate_with_observations: 1 }, total: 2 },
      {
        key: 'Investigation complete; no suspect identified',
        counts: { ...zero, consistent: 1 },
        total: 1,
      },
    ]);
    expect(report.byDecidingBody).toEqual([
      { key: 'cps', counts: { ...zero, inappropriate: 1 }, total: 1 },
      { key: 'police', counts: { ...zero, consistent: 2, appropriate_with_observations: 1 }, total: 3 },
    ]);
    expect(report.byUnit.map((row) => [row.key, row.total])).toEqual([
      ['CAIT', 1],
      ['PPU', 2],
      ['unknown', 1],
    ]);
  });

  it('counts a theme once per case however many of its reviewers tagged it', () => {
    // supervision: c1 (both reviewers) and c2; myths: c1 and c5 (two reviewers).
    expect(report.themes).toEqual([
      { theme: 'myths', cases: 2 },
      { theme: 'supervision', cases: 2 },
      { theme: 'timeliness', cases: 1 },
      { theme: 'victim care', cases: 1 },
    ]);
  });

  it('lists recommendations by due date, then case, and counts them by status', () => {
    expect(report.recommendations.items.map((r) => r.recommendationId)).toEqual(['rec_a', 'rec_c', 'rec_b']);
    expect(report.recommendations.items[0]).toEqual({
      recommendationId: 'rec_a',
      caseId: 'c1',
      text: '=HYPERLINK("http://x","click")',
      owner: '-DCI Smith',
      dueDate: '2026-06-30',
      status: 'overdue',
    });
    expect(report.recommendations.byStatus).toEqual({
      proposed: 0,
      open: 1,
      overdue: 1,
      closed: 1,
      dropped: 0,
      merged: 0,
    });
  });

  it('measures verdict agreement with Cohen for two reviewers and Fleiss for three, separately', () => {
    // Items in reviewer id order: c1 (r1, r2), c2 (r1, r3), c3 (r2, r3), c4 (r1, r2); c5 (r1, r2, r3).
    const pairs: Ratings[] = [
      ['consistent', 'consistent'],
      ['inappropriate', 'appropriate_with_observations'],
      ['consistent', 'consistent'],
      ['appropriate_with_observations', 'appropriate_with_observations'],
    ];
    const triple: Ratings[] = [['inappropriate', 'inappropriate', 'appropriate_with_observations']];
    const { verdict } = report.agreement;

    // By hand, Cohen: p_o = 3/4; first rater consistent 2, inappropriate 1, observations 1; second
    // consistent 2, observations 2; p_e = (2·2 + 1·0 + 1·2)/4² = 6/16 = 0.375;
    // κ = (0.75 − 0.375)/(1 − 0.375) = 0.6.
    // By hand, Fleiss on one item of 3: P_1 = (2² + 1² − 3)/(3·2) = 1/3; p = (2/3, 1/3),
    // P̄_e = 5/9; κ = (1/3 − 5/9)/(4/9) = −0.5.
    expect(verdict).toMatchObject({
      key: 'verdict',
      items: 5,
      skipped: 0,
      rawAgreement: 3 / 5,
      method: 'mixed',
      kappa: null,
      interpretation: null,
    });
    const [cohen, fleiss] = verdict.byRaters;
    expect(cohen).toMatchObject({ method: 'cohen', raters: 2, items: 4, rawAgreement: 0.75 });
    expect(cohen?.kappa).toBeCloseTo(0.6, 12);
    expect(cohen?.interpretation).toBe('moderate');
    expect(fleiss).toMatchObject({ method: 'fleiss', raters: 3, items: 1, rawAgreement: 0 });
    expect(fleiss?.kappa).toBeCloseTo(-0.5, 12);
    expect(fleiss?.interpretation).toBe('poor');
    expect(cohen).toMatchObject(agreement(pairs));
    expect(fleiss).toMatchObject(agreement(triple));
    // Cohen's group has its standard error and interval; Fleiss' has none.
    expect(cohen?.interval).toEqual(cohensKappaInterval(pairs as [string, string][]));
    expect(cohen?.interval?.lower).toBeLessThan(0.6);
    expect(fleiss?.interval).toBeNull();
  });

  it('gives the verdict linear and quadratic weighted kappa on its ordered scale', () => {
    // The four two-reviewer cases on consistent < observations < inappropriate (positions 0, 1, 2):
    // (0, 0), (2, 1), (0, 0), (1, 1). Linear: w = 1 − |i − j|/2, p_o = (3 + 0.5)/4 = 0.875, margins
    // (0.5, 0.25, 0.25) and (0.5, 0.5, 0): p_e = 0.625, κ_w = 0.25/0.375 = 2/3. Quadratic:
    // w = 1 − (i − j)²/4, p_o = 0.9375, p_e = 0.75, κ_w = 0.75. The three-reviewer case is left out.
    const { weighted } = report.agreement.verdict;
    expect(weighted?.linear).toMatchObject({ items: 4, excluded: 0, scale: [...ORDERED_VERDICTS] });
    expect(weighted?.linear.kappa).toBeCloseTo(2 / 3, 12);
    expect(weighted?.quadratic.kappa).toBeCloseTo(0.75, 12);
    expect(weighted?.quadratic.interval?.upper).toBeGreaterThan(0.75);
    const csv = sittingReportCsv(report).split('\r\n');
    expect(csv.find((line) => line.startsWith('agreement,verdict:linear,kappa,'))).toMatch(/,0\.666/);
    expect(csv).toContain('agreement,verdict:quadratic,method,cohen-weighted-quadratic');
    expect(csv.some((line) => line.startsWith('agreement,verdict:raters=2,kappa_ci95_low,'))).toBe(true);
    const html = sittingReportHtml(report);
    expect(html).toContain('<td>Verdict, linear weights</td><td>Weighted kappa (linear)</td>');
    expect(html).toContain('Fleiss, Cohen and Everitt 1969');
  });

  it('measures each question in question-set order, counting a reviewer who did not answer as no rating', () => {
    const byId = new Map(report.agreement.perQuestion.map((q) => [q.questionId, q]));

    // Latest version's order, then timeliness, which only version 1 asked; latest wording.
    expect(report.agreement.perQuestion.map((q) => q.questionId)).toEqual([
      'lines_of_enquiry',
      'language',
      'victims_voice',
      'timeliness',
    ]);
    expect(byId.get('lines_of_enquiry')?.text).toBe('Were reasonable lines of enquiry pursued?');

    // lines_of_enquiry: c5's r2 did not answer, so c5 joins the two-rater items as (yes, yes).
    // 2×2 table, first rater down, second across:
    //            yes  no
    //     yes     2    1     (c1, c5 | c2)
    //     no      1    1     (c4 | c3)
    // p_o = (2 + 1)/5 = 0.6; first rater yes 3, no 2; second yes 3, no 2;
    // p_e = (3·3 + 2·2)/5² = 13/25 = 0.52; κ = (0.6 − 0.52)/(1 − 0.52) = 0.08/0.48 = 1/6.
    const lines = byId.get('lines_of_enquiry');
    expect(lines).toMatchObject({ method: 'cohen', raters: 2, items: 5, skipped: 0, rawAgreement: 0.6 });
    expect(lines?.observed).toBeCloseTo(0.6, 12);
    expect(lines?.expected).toBeCloseTo(0.52, 12);
    expect(lines?.kappa).toBeCloseTo(1 / 6, 12);
    expect(lines?.interpretation).toBe('slight');
    expect(lines?.kappa).toBe(
      agreement([
        ['yes', 'yes'],
        ['yes', 'no'],
        ['no', 'no'],
        ['no', 'yes'],
        ['yes', null, 'yes'],
      ]).kappa,
    );

    // victims_voice: every rating "yes", so chance agreement is 1 and kappa is null; c5 has one answer.
    expect(byId.get('victims_voice')).toMatchObject({
      method: 'cohen',
      items: 4,
      skipped: 1,
      rawAgreement: 1,
      expected: 1,
      kappa: null,
      interpretation: null,
    });

    // language: three two-rater items agreeing (κ = 1) and c5's three "no" (κ null).
    const language = byId.get('language');
    expect(language).toMatchObject({ method: 'mixed', items: 4, rawAgreement: 1 });
    expect(language?.byRaters.map((g) => [g.method, g.items, g.kappa])).toEqual([
      ['cohen', 3, 1],
      ['fleiss', 1, null],
    ]);

    // timeliness: one item, (partly, no): p_o = 0, p_e = 0, κ = 0.
    expect(byId.get('timeliness')).toMatchObject({ method: 'cohen', items: 1, kappa: 0, rawAgreement: 0 });
  });

  it('pools every case × question item for the sitting and gets what agreement() gets', () => {
    const pooled: Ratings[] = [
      // lines_of_enquiry
      ['yes', 'yes'],
      ['yes', 'no'],
      ['no', 'no'],
      ['no', 'yes'],
      ['yes', null, 'yes'],
      // language
      ['yes', 'yes'],
      ['partly', 'partly'],
      ['yes', 'yes'],
      // victims_voice
      ['yes', 'yes'],
      ['yes', 'yes'],
      ['yes', 'yes'],
      ['yes', 'yes'],
      // timeliness
      ['partly', 'no'],
    ];
    const { sitting } = report.agreement;

    expect(sitting).toMatchObject({ key: 'sitting', method: 'mixed', items: 14, skipped: 1 });
    expect(sitting.rawAgreement).toBe(rawAgreement([...pooled, ['no', 'no', 'no']]));
    expect(sitting.byRaters[0]).toMatchObject(agreement(pooled));
    expect(sitting.byRaters[1]).toMatchObject(agreement([['no', 'no', 'no']]));
  });

  it('is plain JSON and the same whatever order the cases come in', () => {
    const reordered = buildSittingReport({ ...INPUT, cases: [...CASES].reverse() });

    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(reordered).toEqual(report);
  });

  it('reports no agreement, rather than failing, when no case has two findings yet', () => {
    const early = buildSittingReport({
      ...INPUT,
      cases: CASES.filter((c) => c.findings.length < 2),
      recommendations: [],
    });

    expect(early.agreement.verdict).toMatchObject({
      items: 0,
      rawAgreement: null,
      method: null,
      kappa: null,
      byRaters: [],
    });
    expect(sittingReportHtml(early)).toContain('No case has concluded.');
  });
});

describe('answers to the questions', () => {
  const report = buildSittingReport(INPUT);
  const byId = new Map(report.answers.map((q) => [q.questionId, q]));
  const share = (questionId: string, answer: string) =>
    byId.get(questionId)?.shares.find((s) => s.answer === answer);

  it('counts each concluded case once, by the answer its reviewers agree on', () => {
    // Concluded: c1, c2, c3 and c4 (closed); c5 in moderation, c6 carried over and c7 are not counted.
    // lines_of_enquiry: c1 yes/yes → yes; c2 yes/no and c4 no/yes → differ; c3 no/no → no.
    expect(byId.get('lines_of_enquiry')).toMatchObject({
      text: 'Were reasonable lines of enquiry pursued?',
      cases: 4,
      answered: 2,
      notApplicable: 0,
      cannotTell: 0,
      reviewersDiffer: 2,
      notAsked: 0,
    });
    expect(share('lines_of_enquiry', 'yes')).toMatchObject({ cases: 1, share: 0.5 });
    expect(share('lines_of_enquiry', 'no')).toMatchObject({ cases: 1, share: 0.5 });
    // Wilson, 1 of 2, by hand: centre (0.5 + z²/4)/(1 + z²/2) = 0.5, half-width
    // z/(1 + z²/2) · √(0.125 + z²/16) = 0.671049 × 0.604228 = 0.405467.
    expect(share('lines_of_enquiry', 'yes')?.wilson?.lower).toBeCloseTo(0.094533, 5);
    expect(share('lines_of_enquiry', 'yes')?.wilson?.upper).toBeCloseTo(0.905467, 5);
  });

  it('gives yes, partly and no as shares of the cases answered, with Wilson intervals', () => {
    // language: c1 and c4 yes, c2 partly; c3 answered version 1, which did not ask it.
    expect(byId.get('language')).toMatchObject({ cases: 4, answered: 3, reviewersDiffer: 0, notAsked: 1 });
    expect(byId.get('language')?.shares.map((s) => [s.answer, s.cases])).toEqual([
      ['yes', 2],
      ['partly', 1],
      ['no', 0],
    ]);
    // Wilson, 2 of 3, by hand: z² = 3.841459, 1 + z²/3 = 2.280486, centre 1.306910/2.280486 =
    // 0.573083, half-width 0.859448 × √(2/27 + z²/36) = 0.365423: 0.207660 to 0.938506.
    expect(share('language', 'yes')?.share).toBeCloseTo(2 / 3, 12);
    expect(share('language', 'yes')?.wilson?.lower).toBeCloseTo(0.20766, 4);
    expect(share('language', 'yes')?.wilson?.upper).toBeCloseTo(0.938506, 4);
    // 1 of 3 mirrors 2 of 3; 0 of 3 runs from exactly 0 to z²/(3 + z²) = 0.561497.
    expect(share('language', 'partly')?.wilson?.lower).toBeCloseTo(1 - 0.938506, 4);
    expect(share('language', 'no')?.wilson).toMatchObject({ estimate: 0, lower: 0 });
    expect(share('language', 'no')?.wilson?.upper).toBeCloseTo(0.561497, 5);
    expect(share('language', 'yes')?.wilson).toEqual(wilsonInterval(2, 3));

    // victims_voice: yes in all four, from 4/(4 + z²) = 0.510109 to exactly 1.
    expect(share('victims_voice', 'yes')).toMatchObject({ cases: 4, share: 1 });
    expect(share('victims_voice', 'yes')?.wilson?.lower).toBeCloseTo(0.510109, 5);
    expect(share('victims_voice', 'yes')?.wilson?.upper).toBe(1);
  });

  it('has no share while no case was answered yes, partly or no', () => {
    // timeliness: only c3 (version 1) was asked it, and its reviewers said partly and no.
    expect(byId.get('timeliness')).toMatchObject({ answered: 0, reviewersDiffer: 1, notAsked: 3 });
    expect(byId.get('timeliness')?.shares.every((s) => s.share === null && s.wilson === null)).toBe(true);
  });

  it('are written to the CSV and the HTML', () => {
    const lines = csvLines(sittingReportCsv(report));
    expect(lines).toContain('answers,question:language,answered,3');
    expect(lines).toContain('answers,question:language,yes_cases,2');
    expect(lines).toContain('answers,question:language,no_wilson_low,0');
    expect(lines).toContain('answers,question:lines_of_enquiry,reviewers_differ,2');
    expect(lines).toContain('answers,question:timeliness,yes_share,');
    expect(lines).toContain('answers,question:language,not_asked,1');
    const html = sittingReportHtml(report);
    expect(html).toContain('<td>Was the language appropriate?</td><td class="number">3</td>');
    expect(html).toContain('<td>66.7% (2 of 3; 95% 20.8% to 93.9%)</td>');
    expect(html).toContain('Share of answered cases answered yes, with Wilson 95% intervals');
  });
});

describe('not applicable answers', () => {
  /** Five concluded cases, two reviewers each, answering bail_conditions. */
  const pairs: [string, AnswerCode, AnswerCode][] = [
    ['n1', 'yes', 'yes'],
    ['n2', 'not_applicable', 'not_applicable'],
    ['n3', 'no', 'not_applicable'],
    ['n4', 'no', 'no'],
    ['n5', 'yes', 'no'],
  ];
  const report = buildSittingReport({
    ...INPUT,
    questionSets: [
      {
        ...QUESTION_SETS[0],
        version: 3,
        questions: [question('bail_conditions', 'Were bail conditions considered?')],
      } as QuestionSet,
    ],
    cases: pairs.map(([caseId, a, b]) => ({
      caseId,
      status: 'CONCLUDED',
      verdict: 'consistent',
      concludedBy: 'agreement',
      origin: 'dip-sample',
      decision: decision('16', 'police', 'PPU'),
      findings: [
        finding(caseId, 'r1', 'consistent', { bail_conditions: a }, { questionSetVersion: 3 }),
        finding(caseId, 'r2', 'consistent', { bail_conditions: b }, { questionSetVersion: 3 }),
      ],
    })),
    recommendations: [],
  });

  it('are left out of the question’s kappa, and counted', () => {
    // Left out: n2's two answers and n3's second, 3 in all. n2 then has no rating (dropped), n3 one
    // (skipped); n1 (yes, yes), n4 (no, no) and n5 (yes, no) are counted. By hand: p_o = 2/3; first
    // rater yes 2, no 1; second yes 1, no 2; p_e = (2·1 + 1·2)/9 = 4/9; κ = (2/9)/(5/9) = 0.4.
    const [measure] = report.agreement.perQuestion;
    expect(measure).toMatchObject({
      questionId: 'bail_conditions',
      notApplicable: 3,
      items: 3,
      skipped: 1,
      method: 'cohen',
    });
    expect(measure?.rawAgreement).toBeCloseTo(2 / 3, 12);
    expect(measure?.expected).toBeCloseTo(4 / 9, 12);
    expect(measure?.kappa).toBeCloseTo(0.4, 12);
    expect(report.agreement.sitting).toMatchObject({ notApplicable: 3, items: 3 });
    expect(report.agreement.verdict.notApplicable).toBeUndefined();
    const lines = csvLines(sittingReportCsv(report));
    expect(lines).toContain('agreement,question:bail_conditions,not_applicable_left_out,3');
    expect(lines).toContain('agreement,sitting,not_applicable_left_out,3');
    expect(sittingReportHtml(report)).toContain('Not applicable (left out)');
  });

  it('are left out of the answer shares, and counted', () => {
    // n1 yes, n4 no; n2 not applicable; n3 (no, not applicable) and n5 (yes, no) differ.
    expect(report.answers[0]).toMatchObject({
      cases: 5,
      answered: 2,
      notApplicable: 1,
      reviewersDiffer: 2,
      notAsked: 0,
    });
    expect(report.answers[0]?.shares.map((s) => [s.answer, s.cases, s.share])).toEqual([
      ['yes', 1, 0.5],
      ['partly', 0, 0],
      ['no', 1, 0.5],
    ]);
  });
});

describe('sittingReportCsv', () => {
  const csv = sittingReportCsv(buildSittingReport(INPUT));
  const lines = csvLines(csv);

  it('is one long section,key,metric,value table', () => {
    expect(lines[0]).toBe('section,key,metric,value');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(lines).toContain('verdicts,consistent,cases,2');
    expect(lines).toContain('verdicts,cannot_conclude,cases,0');
    expect(lines).toContain('conclusion,by_moderation,cases,1');
    expect(lines).toContain('conclusion,carried_over,cases,1');
    expect(lines).toContain('by_outcome_code,16,appropriate_with_observations,1');
    expect(lines).toContain('by_outcome_code,16,total,2');
    expect(lines).toContain('by_unit,unknown,inappropriate,1');
    expect(lines).toContain('themes,victim care,cases,1');
    expect(lines).toContain('recommendation,rec_b,owner,Head of PPU');
    expect(lines).toContain('recommendation_status,closed,recommendations,1');
    expect(lines).toContain('agreement,verdict,method,mixed');
    expect(lines).toContain('agreement,verdict:raters=2,kappa,0.6');
    expect(lines).toContain('agreement,question:lines_of_enquiry,method,cohen');
    expect(lines).toContain('agreement,question:victims_voice,kappa,');
  });

  it('writes negative numbers as numbers and guards text that a spreadsheet would run', () => {
    // κ = −0.5 by hand; in floating point −0.5000000000000001, written in full and unquoted.
    expect(lines.find((line) => line.startsWith('agreement,verdict:raters=3,kappa,'))).toMatch(
      /^agreement,verdict:raters=3,kappa,-0\.50*1?$/,
    );
    expect(lines).toContain('recommendation,rec_a,text,"\'=HYPERLINK(""http://x"",""click"")"');
    expect(lines).toContain("recommendation,rec_a,owner,'-DCI Smith");
    expect(lines).toContain("recommendation,rec_c,owner,'+44 unit");
    expect(csv).toContain('recommendation,rec_c,text,"Train, ""refresh"" and\nrecord"\r\n');
  });
});

describe('sittingReportHtml', () => {
  const html = sittingReportHtml(buildSittingReport(INPUT));

  it('shows a reviewer’s markup as text and never runs it', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Review supervision of NFA decisions');
    expect(html).not.toContain('<script');
  });

  it('is a titled document with the sections, verdict labels and charts as inline SVG', () => {
    expect(html).toContain('<title>Sitting report: sit_1 (2026-05-14)</title>');
    for (const heading of [
      'Summary',
      'Verdicts',
      'By outcome code',
      'By deciding body',
      'By unit',
      'Answers to the questions',
      'Themes',
      'Recommendations',
      'Agreement between reviewers',
    ]) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    expect(html).toContain('Cannot conclude (carried to the next sitting)');
    // Verdicts, the "yes" shares of the answers, themes.
    expect(html.match(/<svg [^>]*role="img"/g)).toHaveLength(3);
    expect(html).toContain('<title>Verdicts of concluded cases</title>');
    expect(html).toContain('<td>Head of PPU</td><td>2026-09-30</td><td>open</td>');
    expect(html).toContain('<td>Verdict (rated by 3)</td><td>Fleiss&#39; kappa</td>');
    expect(html).toContain('Landis and Koch');
  });
});

// ---------------------------------------------------------------------------------------------
// Dip-sample report

const SAMPLE: SampleRecord = {
  sampleId: 'smp_1',
  label: 'Q1 audit',
  request: {
    filter: {
      decisionDateFrom: '2026-01-01',
      decisionDateTo: '2026-03-31',
      decisionTypes: ['police_nfa', 'cps_nfa', 'filed'],
    },
    design: { type: 'stratified', strataBy: ['decidingBody'], allocation: 'equal' },
    size: 20,
    exclude: { underReview: true },
  },
  seedCommitment: 'ab'.repeat(32),
  status: 'SELECTED',
  requestedBy: 'admin',
  requestedAt: '2026-04-01T09:00:00.000Z',
  selectedAt: '2026-04-01T09:01:00.000Z',
  populationSize: 400,
  requestedSize: 20,
  drawnSize: 20,
  strata: [
    {
      key: 'decidingBody=cps',
      populationSize: 100,
      populationHash: 'h1',
      sampleSize: 10,
      inclusionProbability: 0.1,
    },
    {
      key: 'decidingBody=police',
      populationSize: 300,
      populationHash: 'h2',
      sampleSize: 10,
      inclusionProbability: 10 / 300,
    },
  ],
  manifestKey: 'samples/smp_1/manifest.json',
};

/** As sampleEstimates builds it: cps 2 of 8 concluded non-compliant (2 still open), police 5 of 10. */
const cases = (stratum: string, open: number, concluded: number, nonCompliant: number) => [
  ...Array.from({ length: open }, () => ({ stratum, concluded: false })),
  ...Array.from({ length: concluded }, (_, index) => ({
    stratum,
    concluded: true,
    verdict: index < nonCompliant ? 'inappropriate' : 'consistent',
  })),
];
const DRAWN_FROM = [
  { key: 'decidingBody=cps', populationSize: 100 },
  { key: 'decidingBody=police', populationSize: 300 },
];

/** Open, concluded and non-compliant cases of a stratum, as `cases` takes them. */
type StratumCounts = [open: number, concluded: number, nonCompliant: number];

/** The estimates of smp_1 with these cases in each stratum. */
const estimatesOf = (cps: StratumCounts, police: StratumCounts): SampleEstimates => ({
  sampleId: 'smp_1',
  status: 'SELECTED',
  samples: ['smp_1'],
  ...estimateSample('stratified', DRAWN_FROM, [
    ...cases('decidingBody=cps', ...cps),
    ...cases('decidingBody=police', ...police),
  ]),
});
/** The report of smp_1 alone (no top-ups, no cases listed) on these estimates. */
const reportOf = (estimates: SampleEstimates) =>
  buildSampleReport({ sample: SAMPLE, estimates, generatedAt: '2026-05-20T09:00:00.000Z' });

const ESTIMATES = estimatesOf([2, 8, 2], [0, 10, 5]);

describe('buildSampleReport', () => {
  const report = reportOf(ESTIMATES);

  it('restates the design, the seed commitment and the rates', () => {
    expect(report.design).toMatchObject({
      type: 'stratified',
      strataBy: ['decidingBody'],
      allocation: 'equal',
      populationSize: 400,
      drawnSize: 20,
    });
    expect(report.seedCommitment).toBe('ab'.repeat(32));
    expect(report.strata.map((s) => [s.scope, s.population, s.weight, s.rate])).toEqual([
      ['decidingBody=cps', 100, 0.25, 0.25],
      ['decidingBody=police', 300, 0.75, 0.5],
    ]);
    expect(report.strata[0]?.wilson).toEqual(wilsonInterval(2, 8));
  });

  it('gives as the overall rate the one weighted by stratum size, inside its interval', () => {
    // W = (100/400, 300/400) = (0.25, 0.75); p̂_st = 0.25·0.25 + 0.75·0.5 = 0.4375.
    // V̂ = 0.25²·(1 − 8/100)·0.25·0.75/7 + 0.75²·(1 − 10/300)·0.5·0.5/9 = 0.01664435;
    // n*_design = 0.4375 × 0.5625 / V̂ = 14.7854 < n*_weights = 16.2437; Wilson with n*:
    // [0.2247, 0.6760], Korn-Graubard [0.1890, 0.7116] (SciPy); SE = √V̂ = 0.129013.
    expect(report.overall).toMatchObject({
      scope: 'overall',
      population: 400,
      drawn: 20,
      concluded: 18,
      nonCompliant: 7,
      method: 'wilson-effective-sample-size',
    });
    expect(report.weightedBy).toBe('stratum size');
    expect(report.overall.rate).toBeCloseTo(0.4375, 12);
    expect(report.overall.standardError).toBeCloseTo(0.129013, 6);
    expect(report.overall.effectiveSampleSize).toBeCloseTo(14.7854, 4);
    expect(report.overall.wilson?.lower).toBeCloseTo(0.2247, 4);
    expect(report.overall.wilson?.upper).toBeCloseTo(0.676, 4);
    expect(report.overall.clopperPearson?.lower).toBeCloseTo(0.189, 4);
    expect(report.overall.clopperPearson?.upper).toBeCloseTo(0.7116, 4);
    // The population shown is the one drawn from: the strata's sizes add up to it.
    expect(report.strata.reduce((sum, row) => sum + (row.population ?? 0), 0)).toBe(
      report.overall.population,
    );
    // The pooled rate is there, labelled as unweighted.
    expect(report.unweighted).toMatchObject({ scope: 'unweighted', concluded: 18, nonCompliant: 7 });
    expect(report.unweighted?.rate).toBeCloseTo(7 / 18, 12);
    expect(report.unweighted?.label).toMatch(/^unweighted: /);
  });

  it('writes one long CSV table: each stratum, then overall (weighted) and unweighted', () => {
    const lines = csvLines(sampleReportCsv(report));
    const wilson = wilsonInterval(2, 8);
    const cp = clopperPearsonInterval(2, 8);
    const metrics = (scope: string) =>
      lines.filter((line) => line.startsWith(`estimate,${scope},`)).map((line) => line.split(',')[2]);

    expect(lines[0]).toBe('section,key,metric,value');
    expect(lines).toContain('sample,smp_1,role,sample');
    expect(lines).toEqual(
      expect.arrayContaining([
        'estimate,decidingBody=cps,population,100',
        'estimate,decidingBody=cps,weight,0.25',
        'estimate,decidingBody=cps,drawn,10',
        'estimate,decidingBody=cps,concluded,8',
        'estimate,decidingBody=cps,excluded,0',
        'estimate,decidingBody=cps,non_compliant,2',
        'estimate,decidingBody=cps,rate,0.25',
        `estimate,decidingBody=cps,wilson_low,${wilson.lower}`,
        `estimate,decidingBody=cps,wilson_high,${wilson.upper}`,
        `estimate,decidingBody=cps,cp_low,${cp.lower}`,
        `estimate,decidingBody=cps,cp_high,${cp.upper}`,
        'estimate,decidingBody=cps,interval_method,binomial',
        'estimate,decidingBody=cps,standard_error,',
        'estimate,overall,population,400',
        'estimate,overall,rate,0.4375',
        'estimate,overall,interval_method,wilson-effective-sample-size',
      ]),
    );
    expect(metrics('decidingBody=cps')).toEqual([
      'population',
      'weight',
      'drawn',
      'concluded',
      'excluded',
      'non_compliant',
      'rate',
      'wilson_low',
      'wilson_high',
      'cp_low',
      'cp_high',
      'interval_method',
      'standard_error',
      'effective_sample_size',
    ]);
    // Strata first, then overall, then unweighted.
    expect([
      ...new Set(lines.filter((line) => line.startsWith('estimate,')).map((line) => line.split(',')[1])),
    ]).toEqual(['decidingBody=cps', 'decidingBody=police', 'overall', 'unweighted']);
    expect(lines.find((line) => line.startsWith('estimate,overall,wilson_low,'))).toMatch(/,0\.2247\d*$/);
    expect(lines.find((line) => line.startsWith('estimate,overall,standard_error,'))).toMatch(/,0\.129\d*$/);
    expect(lines.find((line) => line.startsWith('estimate,overall,effective_sample_size,'))).toMatch(
      /,14\.785\d*$/,
    );
    expect(lines.find((line) => line.startsWith('estimate,unweighted,rate,'))).toMatch(/,0\.3888/);
    expect(lines.at(-1)).toBe('');
  });

  it('renders a titled HTML document with an interval chart and the explanation', () => {
    const html = sampleReportHtml(report);

    expect(html).toContain('<title>Dip-sample report: smp_1</title>');
    expect(html).toMatch(
      /<svg [^>]*role="img"[^>]*aria-label="Rate of non-compliance with Wilson 95% intervals"/,
    );
    expect(html.match(/<circle /g)).toHaveLength(4);
    expect(html).toContain('“appropriate with observations”, and does not when it is “inappropriate”');
    expect(html).toContain('Clopper-Pearson');
    expect(html).toContain('<td>Overall (weighted by stratum size)</td><td class="number">400</td>');
    expect(html).toContain('<td>43.8%</td>');
    expect(html).toContain('<td>Unweighted (all cases pooled)</td>');
    expect(html).toContain('effective sample size');
  });

  it('lists a stratum with no concluded case, and refuses the overall rate naming it', () => {
    const partial = reportOf(estimatesOf([10, 0, 0], [0, 10, 5]));

    expect(partial.strata[0]).toMatchObject({ rate: null, wilson: null, clopperPearson: null });
    expect(partial.overall).toMatchObject({ rate: null, wilson: null, population: 400 });
    expect(partial.overallRefused).toContain(
      'decidingBody=cps (100 decisions, weight 25%) has none of its 10',
    );
    expect(sampleReportHtml(partial)).toContain('No overall rate yet');
    const partialLines = csvLines(sampleReportCsv(partial));
    expect(partialLines).toContain('estimate,decidingBody=cps,concluded,0');
    expect(partialLines).toContain('estimate,decidingBody=cps,rate,');
    expect(partialLines).toContain('estimate,decidingBody=cps,wilson_low,');
  });
});

describe('a sample report with its cases and top-ups', () => {
  const TOP_UP: SampleRecord = {
    ...SAMPLE,
    sampleId: 'smp_2',
    label: 'top-up of smp_1',
    topUpOf: 'smp_1',
    selectedAt: '2026-04-08T09:01:00.000Z',
    drawnSize: 1,
  };
  const sampleCase = (
    caseId: string,
    sampleId: string,
    stratum: string,
    rank: string,
    status: string,
    verdict?: Verdict,
    answers: [AnswerCode, AnswerCode] | [] = [],
  ): SampleReportCase => ({
    caseId,
    sampleId,
    stratum,
    rank,
    decisionId: `dec_${caseId}`,
    crimeReference: `ps_${caseId}`,
    status,
    ...(verdict ? { verdict, concludedBy: 'agreement' as const, sittingId: 'sit_1' } : {}),
    findings: answers.map((code, index) =>
      finding(caseId, `r${index + 1}`, verdict ?? 'consistent', { victims_voice: code }),
    ),
  });
  const report = buildSampleReport({
    sample: SAMPLE,
    topUps: [TOP_UP],
    cases: [
      sampleCase('k1', 'smp_1', 'decidingBody=police', 'bb', 'CONCLUDED', 'consistent', ['yes', 'yes']),
      sampleCase('k2', 'smp_2', 'decidingBody=police', 'aa', 'CONCLUDED', 'inappropriate', ['no', 'no']),
      sampleCase('k3', 'smp_1', 'decidingBody=cps', 'cc', 'IN_REVIEW'),
      sampleCase('k4', 'smp_1', 'decidingBody=police', 'aa', 'CLOSED', 'appropriate_with_observations', [
        'yes',
        'partly',
      ]),
    ],
    questionSets: QUESTION_SETS,
    estimates: { ...ESTIMATES, samples: ['smp_1', 'smp_2'] },
    generatedAt: '2026-05-20T09:00:00.000Z',
  });

  it('lists every case, the sample’s first and then its top-up’s, each naming its sample', () => {
    expect(report.cases.map((c) => [c.caseId, c.sampleId])).toEqual([
      ['k3', 'smp_1'],
      ['k4', 'smp_1'],
      ['k1', 'smp_1'],
      ['k2', 'smp_2'],
    ]);
    expect(report.cases[0]).toEqual({
      caseId: 'k3',
      sampleId: 'smp_1',
      stratum: 'decidingBody=cps',
      rank: 'cc',
      decisionId: 'dec_k3',
      crimeReference: 'ps_k3',
      status: 'IN_REVIEW',
      verdict: null,
      concludedBy: null,
      sittingId: null,
    });
    expect(report.samples).toEqual([
      {
        sampleId: 'smp_1',
        role: 'sample',
        label: 'Q1 audit',
        selectedAt: '2026-04-01T09:01:00.000Z',
        drawnSize: 20,
        cases: 3,
        concluded: 2,
      },
      {
        sampleId: 'smp_2',
        role: 'top-up',
        label: 'top-up of smp_1',
        selectedAt: '2026-04-08T09:01:00.000Z',
        drawnSize: 1,
        cases: 1,
        concluded: 1,
      },
    ]);
  });

  it('counts the answers of the concluded cases of the sample and its top-ups', () => {
    // k1 yes, k2 (the top-up's) no, k4 (closed) yes and partly: differ; k3 is not concluded.
    const voice = report.answers.find((q) => q.questionId === 'victims_voice');
    expect(voice).toMatchObject({ cases: 3, answered: 2, reviewersDiffer: 1 });
    expect(voice?.shares.map((s) => [s.answer, s.cases, s.share])).toEqual([
      ['yes', 1, 0.5],
      ['partly', 0, 0],
      ['no', 1, 0.5],
    ]);
    expect(report.answers.find((q) => q.questionId === 'language')).toMatchObject({
      cases: 3,
      answered: 0,
      notAsked: 3,
    });
  });

  it('writes the samples, the answers and the cases to the CSV and the HTML', () => {
    const lines = csvLines(sampleReportCsv(report));
    expect(lines).toEqual(
      expect.arrayContaining([
        'sample,smp_1,role,sample',
        'sample,smp_2,role,top-up',
        'sample,smp_2,cases,1',
        'answers,question:victims_voice,yes_cases,1',
        'answers,question:victims_voice,reviewers_differ,1',
        'case,k2,sample_id,smp_2',
        'case,k2,crime_reference,ps_k2',
        'case,k2,verdict,inappropriate',
        'case,k3,verdict,',
      ]),
    );
    const html = sampleReportHtml(report);
    for (const heading of ['Samples combined', 'Answers to the questions', 'Cases']) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    expect(html).toContain('<td>smp_2</td><td>top-up</td><td>top-up of smp_1</td>');
    expect(html).toContain(
      '<td>k2</td><td>smp_2</td><td>decidingBody=police</td><td>dec_k2</td><td>ps_k2</td><td>CONCLUDED</td><td>Inappropriate</td>',
    );
  });

  it('of a top-up lists its own cases and names the sample that combines them', () => {
    const own = buildSampleReport({
      sample: TOP_UP,
      cases: [sampleCase('k2', 'smp_2', 'decidingBody=police', 'aa', 'CONCLUDED', 'inappropriate')],
      estimates: { ...ESTIMATES, sampleId: 'smp_2', samples: ['smp_2'] },
      generatedAt: '2026-05-20T09:00:00.000Z',
    });
    expect(own.samples.map((s) => [s.sampleId, s.role])).toEqual([['smp_2', 'sample']]);
    expect(sampleReportHtml(own)).toContain('This is a top-up of smp_1: its own cases only.');
  });
});
