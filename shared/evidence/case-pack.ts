/**
 * The evidence pack of a concluded case: everything the panel had and did, as JSON records a
 * machine can re-read and one HTML document a person can read, each listed with its SHA-256 in the
 * pack's manifest (manifest.ts). The same contents always give byte-identical files (keys sorted,
 * lists in a fixed order), so rebuilding a pack from the same records gives the same hashes.
 *
 * Every pack has the same nine files. `moderation.json` holds every moderation of the case, one
 * per sitting it was moderated in (`[]` when it never was), so "no moderation" is stated inside the
 * hashed content rather than read from a file that is not there.
 *
 * Free text (nominations, rationales, learning points) is whatever people typed, markup included:
 * the HTML escapes every value through shared/reports/html.ts and never runs any of it.
 */

import { canonicalJson } from '../canonical-json.ts';
import { ValidationError } from '../errors.ts';
import { escapeHtml, htmlDocument, htmlTable, htmlText } from '../reports/html.ts';
import type { Finding } from '../review/finding.ts';
import { ANSWER_LABELS, type AnswerCode, type QuestionSet, VERDICT_LABELS } from '../review/question-set.ts';
import { MANIFEST_NAME, type PackFile, type PreviousPack } from './manifest.ts';

/** A stored record as it is: the pack copies every field, and reads only the ones named. */
export interface PackRecord {
  readonly [field: string]: unknown;
}

export interface PackCase extends PackRecord {
  readonly caseId: string;
  readonly decisionId: string;
  readonly status: string;
}

/** The decision as the panel saw it (already redacted and pseudonymised at import). */
export interface PackDecision extends PackRecord {
  readonly decisionId: string;
}

export interface PackNomination extends PackRecord {
  readonly nominationId: string;
  readonly reasonCodes: readonly string[];
  readonly freeText: string;
  /** Every version the nominator stated, oldest first, the standing one last. */
  readonly versions?: readonly PackRecord[];
}

export interface PackAssignment extends PackRecord {
  readonly assignmentId: string;
  readonly reviewerId: string;
  readonly role: string;
  readonly status: string;
}

/** One event of the case's assignment history. */
export interface PackHistoryEvent extends PackRecord {
  readonly at: string;
  readonly action: string;
}

/** How the case came to the panel: drawn in a dip sample (and how), or nominated. */
export type PackProvenance =
  | {
      readonly kind: 'dip-sample';
      readonly sampleId: string;
      /** SHA-256 of the seed, fixed before the draw. */
      readonly seedCommitment: string;
      /** Revealed once the sample was drawn. */
      readonly seed?: string;
      readonly algorithm?: string;
      /** Where the sample's manifest is in the evidence bucket. */
      readonly manifestKey?: string;
      readonly stratum: string;
      readonly rank: string;
    }
  | { readonly kind: 'nomination' };

export interface CasePackContents {
  readonly caseId: string;
  /** Pack version, 1 for the first. */
  readonly version: number;
  readonly createdAt: string;
  readonly reviewCase: PackCase;
  readonly decision: PackDecision;
  readonly nominations: readonly PackNomination[];
  readonly provenance: PackProvenance;
  readonly assignments: readonly PackAssignment[];
  readonly history: readonly PackHistoryEvent[];
  /** Every version of every finding, amendments included. */
  readonly findings: readonly Finding[];
  /** The chair's moderations, one per sitting the case was moderated in, oldest first. */
  readonly moderations: readonly PackRecord[];
  /** At least every version a finding answered. */
  readonly questionSets: readonly QuestionSet[];
  /** The version this one supersedes, and why. */
  readonly previous?: PreviousPack;
}

export const CASE_PACK_FILES = [
  'assignments.json',
  'case.json',
  'decision.json',
  'findings.json',
  'moderation.json',
  'nominations.json',
  'pack.html',
  'provenance.json',
  'question-sets.json',
] as const;

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';

/**
 * The files of a case pack, sorted by name, ready for buildManifest. Throws a ValidationError when
 * a record belongs to another case, or a finding answered a question set the pack does not carry
 * (the pack must show the questions that were actually asked).
 */
export function casePackFiles(contents: CasePackContents): PackFile[] {
  checkBelongs(contents);
  const ordered = orderContents(contents);
  const json = (name: string, value: unknown): PackFile => ({
    name,
    contentType: JSON_TYPE,
    content: canonicalJson(value),
  });
  return [
    json('assignments.json', { assignments: ordered.assignments, history: ordered.history }),
    json('case.json', contents.reviewCase),
    json('decision.json', contents.decision),
    json('findings.json', ordered.findings),
    json('moderation.json', contents.moderations),
    json('nominations.json', ordered.nominations),
    { name: 'pack.html', contentType: HTML_TYPE, content: renderCasePack(ordered) },
    json('provenance.json', contents.provenance),
    json('question-sets.json', ordered.questionSets),
  ];
}

function checkBelongs(contents: CasePackContents): void {
  const { caseId } = contents;
  const issues: { field: string; reason: string }[] = [];
  const check = (field: string, record: PackRecord) => {
    if (typeof record.caseId === 'string' && record.caseId !== caseId) {
      issues.push({ field, reason: `belongs to case ${record.caseId}` });
    }
  };
  if (contents.reviewCase.caseId !== caseId) {
    issues.push({ field: 'reviewCase', reason: `is case ${contents.reviewCase.caseId}` });
  }
  if (contents.decision.decisionId !== contents.reviewCase.decisionId) {
    issues.push({ field: 'decision', reason: `the case is about ${contents.reviewCase.decisionId}` });
  }
  const lists: [string, readonly PackRecord[]][] = [
    ['nominations', contents.nominations],
    ['assignments', contents.assignments],
    ['history', contents.history],
    ['findings', contents.findings],
  ];
  for (const [name, records] of lists) {
    for (const [index, record] of records.entries()) check(`${name}.${index}`, record);
  }
  const versions = new Set(contents.questionSets.map((set) => set.version));
  const unanswerable = [...new Set(contents.findings.map((finding) => finding.questionSetVersion))]
    .filter((version) => !versions.has(version))
    .sort((a, b) => a - b);
  for (const version of unanswerable) {
    issues.push({ field: 'questionSets', reason: `version ${version} is answered by a finding but missing` });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `Cannot build the evidence pack of ${caseId}: ${issues
        .map((issue) => `${issue.field} ${issue.reason}`)
        .join('; ')}`,
      issues,
    );
  }
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Compares records field by field, as text, in the order given. */
const byFields =
  (...fields: readonly string[]) =>
  (a: PackRecord, b: PackRecord) => {
    for (const field of fields) {
      const order = compareText(text(a[field]), text(b[field]));
      if (order !== 0) return order;
    }
    return 0;
  };

/** Lists in a fixed order, whatever order the store returned them in. */
function orderContents(contents: CasePackContents): CasePackContents {
  const findings = [...contents.findings].sort(
    (a, b) =>
      compareText(a.reviewerId, b.reviewerId) ||
      a.version - b.version ||
      compareText(a.findingId, b.findingId),
  );
  const questionSets = [...new Map(contents.questionSets.map((set) => [set.version, set])).values()].sort(
    (a, b) => a.version - b.version,
  );
  return {
    ...contents,
    nominations: [...contents.nominations].sort(byFields('nominatedAt', 'nominationId')),
    assignments: [...contents.assignments].sort(byFields('assignedAt', 'assignmentId')),
    history: [...contents.history].sort(byFields('at', 'eventId', 'action')),
    findings,
    questionSets,
  };
}

/** The whole pack as one readable, self-contained document; the lists are already in order. */
function renderCasePack(contents: CasePackContents): string {
  const { caseId, version } = contents;
  const body = [
    meta(contents),
    section('Case', fieldList(contents.reviewCase)),
    section('Decision', fieldList(contents.decision)),
    section('How the case came to the panel', provenanceHtml(contents.provenance)),
    section('Nominations', nominationsHtml(contents.nominations)),
    section('Assignments', assignmentsHtml(contents.assignments, contents.history)),
    section('Findings', findingsHtml(contents.findings, contents.questionSets)),
    section(
      'Moderation',
      contents.moderations.length > 0
        ? contents.moderations.map((moderation) => fieldList(moderation)).join('\n')
        : paragraph('Not moderated.'),
    ),
    section('Question sets', questionSetsHtml(contents.questionSets)),
    section('Integrity', integrityHtml(contents)),
  ].join('\n');
  return htmlDocument(`Evidence pack: case ${caseId}, version ${version}`, body);
}

const section = (title: string, html: string) => `<h2>${escapeHtml(title)}</h2>\n${html}`;
const paragraph = (value: string) => `<p>${escapeHtml(value)}</p>`;

function meta({ caseId, version, createdAt, previous }: CasePackContents): string {
  const lines = [
    `<p class="meta">Version ${escapeHtml(version)} of the evidence pack of case ${escapeHtml(caseId)}, ` +
      `created ${escapeHtml(createdAt)}.</p>`,
  ];
  if (previous) {
    lines.push(
      `<p>This version supersedes version ${escapeHtml(previous.version)} ` +
        `(manifest SHA-256 <code>${escapeHtml(previous.manifestSha256)}</code>), which is kept. Reason:</p>`,
      htmlText(previous.reason),
    );
  }
  return lines.join('\n');
}

/** `decisionDate` → `decision date`. */
const label = (field: string) => field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** One value as HTML: short values inline, long or multi-line text and structures kept as blocks. */
function valueHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string')
    return /\n/.test(value) || value.length > 120 ? htmlText(value) : escapeHtml(value);
  if (value instanceof Set) return valueHtml([...value].sort());
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) {
    return escapeHtml(value.map(text).join(', '));
  }
  if (typeof value === 'object') return htmlText(canonicalJson(value).trimEnd());
  return escapeHtml(value);
}

/** Named values as a definition list. */
function definitionList(entries: readonly (readonly [string, unknown])[]): string {
  if (entries.length === 0) return paragraph('None recorded.');
  return `<dl>${entries.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${valueHtml(value)}</dd>`).join('')}</dl>`;
}

/** Every field of a record, by name. */
function fieldList(record: PackRecord): string {
  return definitionList(
    Object.keys(record)
      .filter((field) => record[field] !== undefined)
      .sort(compareText)
      .map((field) => [label(field), record[field]] as const),
  );
}

function provenanceHtml(provenance: PackProvenance): string {
  if (provenance.kind === 'nomination') {
    return paragraph('Nominated: see the nominations below.');
  }
  return [
    paragraph(
      `Drawn in dip sample ${provenance.sampleId}. The seed was committed to (by its SHA-256) before any ` +
        'decision was seen; anyone can re-derive the draw from the sample manifest.',
    ),
    definitionList([
      ['sample', provenance.sampleId],
      ['seed commitment (SHA-256)', provenance.seedCommitment],
      ['seed', provenance.seed ?? 'not yet revealed'],
      ['algorithm', provenance.algorithm],
      ['sample manifest', provenance.manifestKey],
      ['stratum', provenance.stratum],
      ['rank', provenance.rank],
    ]),
  ].join('\n');
}

/** A nomination changed since it was made: every version as it was stated, oldest first. */
function nominationVersionsHtml(versions: readonly PackRecord[]): string {
  if (versions.length < 2) return '';
  return [
    '<p>Its versions, as the nominator stated each:</p>',
    htmlTable(
      [
        'version',
        'made at',
        'victim consent',
        'victim wishes',
        'VRR status',
        'reasons',
        'in the nominator’s words',
      ],
      versions.map((version) => [
        version.version,
        version.madeAt,
        version.victimConsent,
        version.victimWishes ?? '',
        version.vrrStatus,
        [...((version.reasonCodes as string[] | undefined) ?? [])].join(', '),
        version.freeText,
      ]),
    ),
  ].join('\n');
}

function nominationsHtml(nominations: readonly PackNomination[]): string {
  if (nominations.length === 0) return paragraph('No nominations.');
  return nominations
    .map((nomination) =>
      [
        `<h3>Nomination ${escapeHtml(nomination.nominationId)}</h3>`,
        fieldList(
          Object.fromEntries(
            Object.entries(nomination).filter(([field]) => field !== 'freeText' && field !== 'versions'),
          ),
        ),
        '<p>In the nominator’s words:</p>',
        nomination.freeText.trim() === '' ? paragraph('(nothing written)') : htmlText(nomination.freeText),
        nominationVersionsHtml(nomination.versions ?? []),
      ].join('\n'),
    )
    .join('\n');
}

function assignmentsHtml(
  assignments: readonly PackAssignment[],
  history: readonly PackHistoryEvent[],
): string {
  const assigned =
    assignments.length === 0
      ? paragraph('No assignments.')
      : htmlTable(
          ['assignment', 'reviewer', 'role', 'status', 'due', 'assigned at', 'why this reviewer'],
          assignments.map((a) => [
            a.assignmentId,
            a.reviewerId,
            a.role,
            a.status,
            text(a.dueDate),
            text(a.assignedAt),
            text(a.reason),
          ]),
        );
  const events =
    history.length === 0
      ? paragraph('No history.')
      : htmlTable(
          ['at', 'action', 'reviewer', 'from reviewer', 'by', 'why'],
          history.map((event) => [
            event.at,
            event.action,
            text(event.reviewerId),
            text(event.fromReviewerId),
            text(event.by),
            text(event.why),
          ]),
        );
  return `${assigned}\n<h3>History</h3>\n${events}`;
}

function findingsHtml(findings: readonly Finding[], questionSets: readonly QuestionSet[]): string {
  if (findings.length === 0) return paragraph('No findings.');
  const sets = new Map(questionSets.map((set) => [set.version, set]));
  return findings.map((finding) => findingHtml(finding, sets.get(finding.questionSetVersion))).join('\n');
}

function findingHtml(finding: Finding, questionSet: QuestionSet | undefined): string {
  const parts = [
    `<h3>Finding of ${escapeHtml(finding.reviewerId)}, version ${escapeHtml(finding.version)}</h3>`,
    definitionList([
      ['finding', finding.findingId],
      ['assignment', finding.assignmentId],
      ['sitting', finding.sittingId],
      ['submitted', `${finding.submittedAt} by ${finding.submittedBy}`],
      ['question set', `version ${finding.questionSetVersion}${questionSet ? `: ${questionSet.title}` : ''}`],
      ['content hash (SHA-256 of the submission)', finding.contentHash],
    ]),
  ];
  if (finding.amendment) {
    parts.push(
      `<p>Amends version ${escapeHtml(finding.amendment.amendsVersion)}. Reason:</p>`,
      htmlText(finding.amendment.reason),
    );
  }
  parts.push('<h4>Answers</h4>', answersHtml(finding, questionSet));
  parts.push(
    `<h4>Verdict: ${escapeHtml(VERDICT_LABELS[finding.verdict] ?? finding.verdict)}</h4>`,
    htmlText(finding.verdictRationale),
  );
  if (finding.goodPractice.trim() !== '')
    parts.push('<h4>Good practice</h4>', htmlText(finding.goodPractice));
  parts.push(
    '<h4>Learning points</h4>',
    finding.learningPoints.length === 0
      ? paragraph('None.')
      : htmlTable(
          ['level', 'learning point'],
          finding.learningPoints.map((point) => [point.level, point.text]),
        ),
    '<h4>Recommendations</h4>',
    finding.recommendations.length === 0
      ? paragraph('None.')
      : htmlTable(
          ['recommendation', 'owner', 'due'],
          finding.recommendations.map((recommendation) => [
            recommendation.text,
            recommendation.owner,
            recommendation.dueDate,
          ]),
        ),
    '<h4>Themes</h4>',
    paragraph(finding.themes.length === 0 ? 'None.' : finding.themes.join(', ')),
  );
  return parts.join('\n');
}

/** Answers in the order the question set asks them; answers to unknown questions last, by id. */
function answersHtml(finding: Finding, questionSet: QuestionSet | undefined): string {
  const questions = questionSet?.questions ?? [];
  const asked = questions.filter((question) => question.questionId in finding.answers);
  const known = new Set(questions.map((question) => question.questionId));
  const others = Object.keys(finding.answers)
    .filter((questionId) => !known.has(questionId))
    .sort(compareText);
  const rows = [
    ...asked.map((question) => ({ id: question.questionId, text: question.text })),
    ...others.map((questionId) => ({ id: questionId, text: `${questionId} (not in the question set)` })),
  ].map(({ id, text: question }) => {
    const answer = finding.answers[id];
    const code = answer?.code as AnswerCode | undefined;
    return [question, code ? (ANSWER_LABELS[code] ?? code) : '', answer?.rationale ?? ''];
  });
  return rows.length === 0 ? paragraph('No answers.') : htmlTable(['question', 'answer', 'rationale'], rows);
}

function questionSetsHtml(questionSets: readonly QuestionSet[]): string {
  if (questionSets.length === 0) return paragraph('None.');
  return htmlTable(
    ['version', 'title', 'questions', 'published', 'by'],
    questionSets.map((set) => [
      set.version,
      set.title,
      set.questions.length,
      set.publishedAt,
      set.publishedBy,
    ]),
  );
}

function integrityHtml({ caseId, version }: CasePackContents): string {
  return [
    paragraph(
      `${MANIFEST_NAME} lists the SHA-256 of every file in this pack, this document included, and ` +
        "Scrutineer's database records the SHA-256 of the manifest itself: a change to any file, or to " +
        'the manifest, shows. A pack is never rewritten; a correction is a new version that names the ' +
        'one it supersedes.',
    ),
    paragraph(`Files: ${CASE_PACK_FILES.join(', ')}, ${MANIFEST_NAME}.`),
    paragraph(`Check it with: scrutineer pack verify ${caseId} --version ${version}`),
  ].join('\n');
}
