/**
 * `scrutineer recommendations …`: the actions concluded cases asked for: list them (soonest due
 * first, the overdue marked), decide a reviewer's proposal (accept, merge or drop), and close a
 * tracked one with the evidence of what was done.
 */
import type { Command } from 'commander';
import { connect, withSignInOptions } from '../config.ts';
import { type Cell, formatTable, result } from '../output.ts';

/** Recommendations are followed by the chair: the commands sign in as the chair unless told otherwise. */
const RECOMMENDATIONS_USER = 'chair';
const STATUSES = ['proposed', 'open', 'overdue', 'closed', 'dropped', 'merged'] as const;

interface Recommendation {
  readonly recommendationId: string;
  readonly caseId: string;
  readonly text: string;
  readonly owner: string;
  readonly dueDate: string;
  readonly status: (typeof STATUSES)[number];
  readonly closedAt?: string;
}

interface ListOptions {
  readonly status?: string;
  readonly json?: boolean;
}

export function addRecommendationsCommand(program: Command): void {
  const recommendations = program
    .command('recommendations')
    .description('recommendations of concluded cases: list them, decide a proposal, close one with evidence');
  withSignInOptions(
    recommendations
      .command('list')
      .description('list recommendations, soonest due first (a chair sees those of the panels they chair)')
      .option('--status <status>', `only those ${STATUSES.join(', ')}`)
      .option('--json', 'print the records as JSON'),
    RECOMMENDATIONS_USER,
  ).action(async (options: ListOptions, command: Command) => {
    if (options.status && !(STATUSES as readonly string[]).includes(options.status)) {
      command.error(`--status must be one of ${STATUSES.join(', ')}`, { exitCode: 2 });
    }
    const { items } = await (await connect(command)).get<{ items: Recommendation[] }>('/recommendations');
    const shown = items.filter((item) => !options.status || item.status === options.status);
    result(options.json ? JSON.stringify(shown, null, 2) : formatRecommendations(shown));
  });
  addDecide(recommendations);
  withSignInOptions(
    recommendations
      .command('close')
      .description('close a recommendation with the evidence of what was done')
      .argument('<recommendationId>', 'the recommendation, such as rec_…')
      .requiredOption('--evidence <text>', 'what was done, and where it is recorded'),
    RECOMMENDATIONS_USER,
  ).action(async (recommendationId: string, options: { evidence: string }, command: Command) => {
    const closed = await (await connect(command)).post<Recommendation>(
      `/recommendations/${encodeURIComponent(recommendationId)}/closure`,
      { evidence: options.evidence },
    );
    result(
      `Closed ${closed.recommendationId} (${closed.owner}, due ${closed.dueDate}) on ${closed.closedAt}.`,
    );
  });
}

interface DecideOptions {
  readonly accept?: boolean;
  readonly drop?: boolean;
  readonly mergeInto?: string;
  readonly reason?: string;
  readonly owner?: string;
  readonly due?: string;
  readonly text?: string;
}

function addDecide(recommendations: Command): void {
  withSignInOptions(
    recommendations
      .command('decide')
      .description(
        "decide a reviewer's proposed recommendation: accept it (to track it), merge it, or drop it",
      )
      .argument('<recommendationId>', 'the proposal, such as rec_…')
      .option('--accept', 'accept it, to be tracked; --text, --owner and --due change it')
      .option('--drop', 'drop it, with --reason')
      .option('--merge-into <recommendationId>', 'merge it into another recommendation of the case')
      .option('--reason <text>', 'why (required to drop)')
      .option('--text <text>', 'the reworded recommendation, when accepting')
      .option('--owner <owner>', 'who owns the action, when accepting')
      .option('--due <date>', 'the due date (YYYY-MM-DD), when accepting'),
    RECOMMENDATIONS_USER,
  ).action(async (recommendationId: string, options: DecideOptions, command: Command) => {
    const chosen = [options.accept, options.drop, options.mergeInto].filter(Boolean).length;
    if (chosen !== 1) command.error('give one of --accept, --drop or --merge-into', { exitCode: 2 });
    const body = options.accept
      ? {
          decision: 'accept',
          ...(options.text ? { text: options.text } : {}),
          ...(options.owner ? { owner: options.owner } : {}),
          ...(options.due ? { dueDate: options.due } : {}),
        }
      : options.drop
        ? { decision: 'drop', reason: options.reason }
        : {
            decision: 'merge',
            into: options.mergeInto,
            ...(options.reason ? { reason: options.reason } : {}),
          };
    const decided = await (await connect(command)).post<Recommendation>(
      `/recommendations/${encodeURIComponent(recommendationId)}/decision`,
      body,
    );
    result(`${decided.recommendationId} is ${decided.status} (${decided.owner}, due ${decided.dueDate}).`);
  });
}

function formatRecommendations(items: readonly Recommendation[]): string {
  if (items.length === 0) return 'No recommendations.';
  return formatTable(
    [
      ['recommendation', 'case', 'owner', 'due', 'status', 'what'],
      ...items.map((item): Cell[] => [
        item.recommendationId,
        item.caseId,
        item.owner,
        item.dueDate,
        item.status === 'overdue' ? 'OVERDUE' : item.status,
        item.text.length > 60 ? `${item.text.slice(0, 57)}…` : item.text,
      ]),
    ],
    '',
  );
}
