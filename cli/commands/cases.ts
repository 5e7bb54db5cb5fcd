/**
 * `scrutineer cases …`: one case's findings and moderation, and the chair's moderation of a case
 * whose reviewers disagree.
 */
import type { Command } from 'commander';
import { VERDICTS } from '../../shared/review/question-set.ts';
import { connect, withSignInOptions } from '../config.ts';
import { readJsonFile } from '../json-file.ts';
import { type Cell, formatTable, result } from '../output.ts';

/** Moderation is the chair's: the commands sign in as the chair unless told otherwise. */
const CASES_USER = 'chair';

interface Moderation {
  readonly caseId: string;
  readonly sittingId: string;
  readonly verdict: string;
  readonly reason: string;
  readonly reviewerVerdicts: Record<string, string>;
  readonly recommendations: readonly { text: string; owner: string; dueDate: string }[];
  readonly moderatedBy: string;
  readonly moderatedAt: string;
}

interface CaseFindings {
  readonly caseId: string;
  readonly status: string;
  readonly verdict?: string;
  readonly findings: readonly {
    readonly findingId: string;
    readonly sittingId: string;
    readonly reviewerId: string;
    readonly version: number;
    readonly verdict: string;
    readonly submittedAt: string;
    readonly amendment?: { amendsVersion: number; reason: string };
  }[];
  readonly moderations: readonly Moderation[];
}

interface ModerateOptions {
  readonly verdict: string;
  readonly reason: string;
  readonly recommendationsFile?: string;
  readonly json?: boolean;
}

export function addCasesCommand(program: Command): void {
  const cases = program.command('cases').description("one case's findings, and the chair's moderation of it");
  addFindings(cases);
  addModerate(cases);
}

function addFindings(cases: Command): void {
  withSignInOptions(
    cases
      .command('findings')
      .description('every finding version on a case and its moderation (a reviewer, once their own is in)')
      .argument('<caseId>', 'the case, such as case_…')
      .option('--json', 'print the findings as JSON'),
    CASES_USER,
  ).action(async (caseId: string, options: { json?: boolean }, command: Command) => {
    const record = await (await connect(command)).get<CaseFindings>(
      `/cases/${encodeURIComponent(caseId)}/findings`,
    );
    result(options.json ? JSON.stringify(record, null, 2) : formatCaseFindings(record));
  });
}

function formatCaseFindings(record: CaseFindings): string {
  const lines = [
    `Case ${record.caseId}: ${record.status.toLowerCase()}${record.verdict ? `, ${record.verdict}` : ''}`,
  ];
  if (record.findings.length === 0) lines.push('No finding yet.');
  else {
    lines.push(
      formatTable([
        ['finding', 'sitting', 'reviewer', 'version', 'verdict', 'submitted'],
        ...record.findings.map((finding): Cell[] => [
          finding.findingId,
          finding.sittingId,
          finding.reviewerId,
          finding.version,
          finding.verdict,
          finding.amendment
            ? `${finding.submittedAt} (amends ${finding.amendment.amendsVersion}: ${finding.amendment.reason})`
            : finding.submittedAt,
        ]),
      ]),
    );
  }
  for (const moderation of record.moderations) lines.push('', ...formatModeration(moderation));
  return lines.join('\n');
}

function formatModeration(moderation: Moderation): string[] {
  const between = Object.entries(moderation.reviewerVerdicts)
    .map(([reviewer, verdict]) => `${reviewer} ${verdict}`)
    .join(', ');
  return [
    `Moderated in ${moderation.sittingId} by ${moderation.moderatedBy} on ${moderation.moderatedAt}: ${moderation.verdict}`,
    `  between ${between}`,
    `  reason: ${moderation.reason}`,
    ...moderation.recommendations.map(
      (recommendation) =>
        `  recommendation: ${recommendation.text} (${recommendation.owner}, due ${recommendation.dueDate})`,
    ),
  ];
}

function addModerate(cases: Command): void {
  withSignInOptions(
    cases
      .command('moderate')
      .description(
        "decide a case whose reviewers disagree, with the reason; 'cannot_conclude' carries it to the next sitting",
      )
      .argument('<caseId>', 'the case, such as case_…')
      .requiredOption('--verdict <verdict>', `the panel's verdict: ${VERDICTS.join(', ')}`)
      .requiredOption('--reason <text>', "the reason for the panel's decision")
      .option(
        '--recommendations-file <file.json>',
        'recommendations of the panel, a JSON array of {"text", "owner", "dueDate"}',
      )
      .option('--json', 'print the moderation as JSON'),
    CASES_USER,
  ).action(async (caseId: string, options: ModerateOptions, command: Command) => {
    if (!(VERDICTS as readonly string[]).includes(options.verdict)) {
      command.error(`error: --verdict must be one of ${VERDICTS.join(', ')}`, { exitCode: 2 });
    }
    const recommendations = options.recommendationsFile
      ? await readJsonFile(options.recommendationsFile, 'an array of recommendations')
      : undefined;
    const moderation = await (await connect(command)).post<Moderation>(
      `/cases/${encodeURIComponent(caseId)}/moderation`,
      {
        verdict: options.verdict,
        reason: options.reason,
        ...(recommendations !== undefined ? { recommendations } : {}),
      },
    );
    result(options.json ? JSON.stringify(moderation, null, 2) : formatModeration(moderation).join('\n'));
  });
}
