/**
 * `scrutineer findings …`: a panel member's review work. The cases assigned to them, one case as
 * they read it with the questions to answer, a template of a finding to fill in, and submitting
 * or amending a finding from that file.
 */
import type { Command } from 'commander';
import type { Decision } from '../../shared/decisions/decision.ts';
import { ANSWER_CODES, applies, type Question, VERDICTS } from '../../shared/review/question-set.ts';
import type { ApiClient } from '../api-client.ts';
import { connect, withSignInOptions } from '../config.ts';
import { readJsonFile } from '../json-file.ts';
import { type Cell, formatTable, result, status } from '../output.ts';

/** Findings are a panel member's: the commands sign in as the demo reviewer unless told otherwise. */
const FINDINGS_USER = 'panel';

/** What a placeholder in the template says; left as it is, the API refuses it and names the field. */
export const ANSWER_PLACEHOLDER = ANSWER_CODES.filter((code) => code !== 'not_applicable').join(' | ');
export const VERDICT_PLACEHOLDER = VERDICTS.join(' | ');

interface Assignment {
  readonly assignmentId: string;
  readonly caseId: string;
  readonly sittingId: string;
  readonly reviewerId: string;
  readonly role: string;
  readonly status: string;
  readonly dueDate: string;
  readonly questionSetVersion?: number;
}

interface Finding {
  readonly findingId: string;
  readonly caseId: string;
  readonly version: number;
  readonly verdict: string;
  readonly submittedAt: string;
  readonly questionSetVersion: number;
  readonly amendment?: { amendsVersion: number; reason: string };
}

interface CaseView {
  readonly assignment: Assignment;
  readonly case: { caseId: string; status: string; sittingId: string; origin: string };
  readonly decision: Record<string, unknown> & Pick<Decision, 'decisionType' | 'outcomeCode'>;
  readonly nominations: readonly {
    nominatorRole: string;
    reasonCodes: readonly string[];
    freeText?: string;
    victimConsent: string;
    victimWishes?: string;
    vrrStatus: string;
  }[];
  readonly caseFiles: { files: readonly { name: string; bytes: number; url: string }[]; expiresAt: string };
  readonly questionSet: { version: number; title: string; questions: readonly Question[] };
  readonly ownFindings: readonly Finding[];
}

interface JsonOption {
  readonly json?: boolean;
}

export function addFindingsCommand(program: Command): void {
  const findings = program
    .command('findings')
    .description('your review work: assigned cases, a case and its questions, findings from a file');
  addList(findings);
  addShow(findings);
  addTemplate(findings);
  addSubmit(findings);
  addAmend(findings);
}

function addList(findings: Command): void {
  withSignInOptions(
    findings
      .command('list')
      .description('list the cases assigned to you, soonest due first')
      .option('--json', 'print the assignments as JSON'),
    FINDINGS_USER,
  ).action(async (options: JsonOption, command: Command) => {
    const { items } = await (await connect(command)).get<{ items: Assignment[] }>('/assignments');
    const sorted = [...items].sort(
      (a, b) => a.dueDate.localeCompare(b.dueDate) || a.caseId.localeCompare(b.caseId),
    );
    if (options.json) return result(JSON.stringify(sorted, null, 2));
    if (sorted.length === 0) return result('No case is assigned to you.');
    result(
      formatTable(
        [
          ['assignment', 'case', 'sitting', 'status', 'due'],
          ...sorted.map((item): Cell[] => [
            item.assignmentId,
            item.caseId,
            item.sittingId,
            item.role === 'moderator' ? `${item.status} (moderator)` : item.status,
            item.dueDate,
          ]),
        ],
        '',
      ),
    );
  });
}

const caseOf = (client: ApiClient, assignmentId: string) =>
  client.get<CaseView>(`/assignments/${encodeURIComponent(assignmentId)}/case`);

function addShow(findings: Command): void {
  withSignInOptions(
    findings
      .command('show')
      .description('the case behind an assignment as you may read it, and the questions your finding answers')
      .argument('<assignmentId>', 'the assignment, such as asg_…')
      .option('--json', 'print the case view as JSON'),
    FINDINGS_USER,
  ).action(async (assignmentId: string, options: JsonOption, command: Command) => {
    const view = await caseOf(await connect(command), assignmentId);
    result(options.json ? JSON.stringify(view, null, 2) : formatCaseView(view));
  });
}

/** Decision fields a reviewer reads first; the rest follow in the record's order. */
const DECISION_FIRST = ['decisionId', 'decisionType', 'outcomeCode', 'decidingBody', 'decisionDate'];

function formatCaseView(view: CaseView): string {
  const { assignment, decision, questionSet } = view;
  const scalars = Object.entries(decision)
    .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
    .sort(([a], [b]) => rank(a) - rank(b));
  const lines = [
    `Case ${view.case.caseId} (${view.case.status.toLowerCase()}, ${view.case.origin}) in ${view.case.sittingId}`,
    `Your assignment ${assignment.assignmentId}: ${assignment.status}, findings due ${assignment.dueDate}`,
    '',
    'Decision',
    formatTable(scalars.map(([key, value]): Cell[] => [key, String(value)])),
    '',
    view.nominations.length === 0 ? 'Nominations: none (dip-sampled)' : 'Nominations',
    ...view.nominations.map(
      (nomination) =>
        `  ${nomination.nominatorRole}: ${nomination.reasonCodes.join(', ')}; victim ${nomination.victimConsent}, ` +
        `VRR ${nomination.vrrStatus}${nomination.freeText ? `\n    "${nomination.freeText}"` : ''}` +
        `${nomination.victimWishes ? `\n    victim's wishes: "${nomination.victimWishes}"` : ''}`,
    ),
    '',
    view.caseFiles.files.length === 0
      ? 'Case files: none'
      : `Case files (links valid until ${view.caseFiles.expiresAt})`,
    ...view.caseFiles.files.map((file) => `  ${file.name}  ${file.url}`),
    '',
    `Question set version ${questionSet.version}: ${questionSet.title}`,
    ...questionSet.questions.map(
      (question) =>
        `  ${question.questionId}${applies(question, decision) ? (question.required ? '' : ' (optional)') : ' (does not apply: not_applicable or leave out)'}\n    ${question.text}`,
    ),
    '',
    view.ownFindings.length === 0
      ? `No finding of yours yet: scrutineer findings template ${assignment.assignmentId} > finding.json`
      : 'Your findings',
    ...view.ownFindings.map(
      (finding) =>
        `  version ${finding.version}: ${finding.verdict}, ${finding.submittedAt}` +
        (finding.amendment
          ? ` (amends ${finding.amendment.amendsVersion}: ${finding.amendment.reason})`
          : ''),
    ),
  ];
  return lines.join('\n');
}

const rank = (key: string) => {
  const index = DECISION_FIRST.indexOf(key);
  return index === -1 ? DECISION_FIRST.length : index;
};

/** What the server records about a finding, which the reviewer does not send. */
const RECORDED = new Set([
  'findingId',
  'caseId',
  'sittingId',
  'assignmentId',
  'reviewerId',
  'version',
  'amendment',
  'submittedAt',
  'submittedBy',
  'contentHash',
]);

/**
 * A finding to fill in: every question of the assignment's set, those that apply with placeholders,
 * those that do not already answered not_applicable. With `amends`, an amendment of that version,
 * filled in with what it said.
 */
export function findingTemplate(view: CaseView, amends?: Finding) {
  const previous = amends as (Finding & { answers?: Record<string, unknown> }) | undefined;
  const answers = Object.fromEntries(
    view.questionSet.questions.map((question) => [
      question.questionId,
      previous?.answers?.[question.questionId] ??
        (applies(question, view.decision)
          ? { code: ANSWER_PLACEHOLDER, rationale: '' }
          : { code: 'not_applicable', rationale: '' }),
    ]),
  );
  const base = {
    questionSetVersion: view.questionSet.version,
    answers,
    verdict: VERDICT_PLACEHOLDER,
    verdictRationale: '',
    goodPractice: '',
    learningPoints: [],
    recommendations: [],
    themes: [],
  };
  if (!amends) return base;
  const kept = Object.fromEntries(Object.entries(amends).filter(([key]) => !RECORDED.has(key)));
  return { ...base, ...kept, answers, amendsVersion: amends.version, reason: '' };
}

function addTemplate(findings: Command): void {
  withSignInOptions(
    findings
      .command('template')
      .description(
        'print a finding to fill in for an assignment: every question of its set, then submit it with `findings submit`',
      )
      .argument('<assignmentId>', 'the assignment, such as asg_…')
      .option('--amend', 'a template amending your latest finding, filled in with what it said'),
    FINDINGS_USER,
  ).action(async (assignmentId: string, options: { amend?: boolean }, command: Command) => {
    const view = await caseOf(await connect(command), assignmentId);
    const latest = [...view.ownFindings].sort((a, b) => b.version - a.version)[0];
    if (options.amend && !latest) throw new Error(`You have no finding on ${view.case.caseId} to amend yet.`);
    result(JSON.stringify(findingTemplate(view, options.amend ? latest : undefined), null, 2));
    status(
      `Fill in every "${ANSWER_PLACEHOLDER}" with one code and a rationale, the verdict (${VERDICT_PLACEHOLDER}) ` +
        `and its rationale; then: scrutineer findings ${options.amend ? 'amend' : 'submit'} ${assignmentId} --file FILE`,
    );
  });
}

function addSubmit(findings: Command): void {
  withSignInOptions(
    findings
      .command('submit')
      .description(
        'submit your finding on an assigned case from a JSON file; it cannot change after, only be amended',
      )
      .argument('<assignmentId>', 'the assignment, such as asg_…')
      .requiredOption('--file <finding.json>', 'the finding, as `findings template` prints it, filled in')
      .option('--json', 'print the finding as recorded, as JSON'),
    FINDINGS_USER,
  ).action(async (assignmentId: string, options: JsonOption & { file: string }, command: Command) => {
    const body = await readJsonFile(options.file, 'a finding');
    const finding = await (await connect(command)).post<Finding>(
      `/assignments/${encodeURIComponent(assignmentId)}/findings`,
      body,
    );
    result(
      options.json
        ? JSON.stringify(finding, null, 2)
        : `Submitted ${finding.findingId} on ${finding.caseId}: ${finding.verdict} (version ${finding.version}).`,
    );
  });
}

function addAmend(findings: Command): void {
  withSignInOptions(
    findings
      .command('amend')
      .description(
        'amend your finding from a JSON file with amendsVersion and a reason; earlier versions are kept',
      )
      .argument('<assignmentId>', 'the assignment, such as asg_…')
      .requiredOption(
        '--file <amendment.json>',
        'the amended finding, as `findings template --amend` prints it',
      )
      .option('--json', 'print the new version as JSON'),
    FINDINGS_USER,
  ).action(async (assignmentId: string, options: JsonOption & { file: string }, command: Command) => {
    const body = await readJsonFile(options.file, 'an amended finding');
    const finding = await (await connect(command)).post<Finding>(
      `/assignments/${encodeURIComponent(assignmentId)}/findings/amendments`,
      body,
    );
    result(
      options.json
        ? JSON.stringify(finding, null, 2)
        : `Amended ${finding.caseId}: version ${finding.version} (${finding.verdict}) replaces version ` +
            `${finding.amendment?.amendsVersion ?? finding.version - 1}.`,
    );
  });
}
