/**
 * `scrutineer recommendations …`: the actions concluded cases asked for, tracked to closure: list
 * them (soonest due first, the overdue marked) and close one with the evidence of what was done.
 */
import type { Command } from 'commander';
import { connect, withSignInOptions } from '../config.ts';
import { type Cell, formatTable, result } from '../output.ts';

/** Recommendations are followed by the chair: the commands sign in as the chair unless told otherwise. */
const RECOMMENDATIONS_USER = 'chair';
const STATUSES = ['open', 'overdue', 'closed'] as const;

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
    .description('recommendations of concluded cases: list them, close one with evidence');
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
