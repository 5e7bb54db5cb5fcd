/**
 * `scrutineer sittings …`: the sittings of the panels you chair, planning one or changing its
 * date, deadline or capacity, moving every case of a reviewer who can no longer sit (they left the
 * panel, fell ill) to other reviewers, cancelling a sitting that has not met, and closing one.
 */
import type { Command } from 'commander';
import { ApiError } from '../api-client.ts';
import { connect, withSignInOptions } from '../config.ts';
import { type Cell, formatTable, result, status } from '../output.ts';

/** Sittings are the chair's business: the commands sign in as the chair unless told otherwise. */
const SITTINGS_USER = 'chair';

interface Sitting {
  readonly sittingId: string;
  readonly panelId: string;
  readonly date: string;
  readonly findingsDeadline: string;
  readonly status: string;
  readonly agenda: readonly string[];
  readonly maxCases: number;
  readonly reviewersPerCase: number;
}

interface Reassignment {
  readonly sittingId: string;
  readonly fromReviewerId: string;
  readonly moved: readonly {
    readonly caseId: string;
    readonly to: readonly string[];
    readonly problem?: string;
  }[];
}

interface JsonOption {
  readonly json?: boolean;
}

interface ReassignOptions extends JsonOption {
  readonly from: string;
  readonly reason: string;
}

export function addSittingsCommand(program: Command): void {
  const sittings = program
    .command('sittings')
    .description("the panel's sittings: list, plan, move a reviewer's cases to others, cancel, close");
  addList(sittings);
  addPlan(sittings);
  addProgress(sittings);
  addReassign(sittings);
  addCancel(sittings);
  addClose(sittings);
}

interface Closure {
  readonly sittingId: string;
  readonly early: boolean;
  readonly carriedOver: readonly { caseId: string; to?: string }[];
  readonly recommendationsToDecide: readonly string[];
  readonly report: {
    readonly reportId: string;
    readonly files: { json: string; csv: string; html: string };
    readonly expiresAt: string;
    readonly pack?: { version: number; manifestSha256: string };
  };
}

function addClose(sittings: Command): void {
  withSignInOptions(
    sittings
      .command('close')
      .description(
        'close a sitting after it met: cases without a conclusion go to the next sitting, the final report is frozen as its pack',
      )
      .argument('<sittingId>', 'the sitting, such as sit_2027q1')
      .option('--early-reason <text>', 'why it closes before the day it meets (required then)')
      .option('--json', 'print the closure as JSON'),
    SITTINGS_USER,
  ).action(async (sittingId: string, options: JsonOption & { earlyReason?: string }, command: Command) => {
    const closure = await (await connect(command)).post<Closure>(
      `/sittings/${encodeURIComponent(sittingId)}/closure`,
      options.earlyReason ? { earlyReason: options.earlyReason } : {},
    );
    if (options.json) return result(JSON.stringify(closure, null, 2));
    const { report } = closure;
    result(
      [
        `Closed ${closure.sittingId}${closure.early ? ' early' : ''}; ` +
          `${closure.carriedOver.length} cases carried over.`,
        ...closure.carriedOver.map(
          ({ caseId, to }) => `  ${caseId}: ${to ? `to ${to}` : 'waits for a sitting to be planned'}`,
        ),
        ...(closure.recommendationsToDecide.length > 0
          ? [
              `${closure.recommendationsToDecide.length} proposed recommendations still to decide ` +
                `(scrutineer recommendations decide): ${closure.recommendationsToDecide.join(', ')}`,
            ]
          : []),
        `Final report ${report.reportId}` +
          `${report.pack ? `, frozen as pack version ${report.pack.version} (${report.pack.manifestSha256})` : ''}` +
          ` (links valid until ${report.expiresAt}):`,
        formatTable([
          ['json', report.files.json],
          ['csv', report.files.csv],
          ['html', report.files.html],
        ]),
      ].join('\n'),
    );
  });
}

interface PlanOptions extends JsonOption {
  readonly panel?: string;
  readonly date?: string;
  readonly deadline?: string;
  readonly maxCases?: string;
  readonly reviewersPerCase?: string;
}

function addPlan(sittings: Command): void {
  withSignInOptions(
    sittings
      .command('plan')
      .description(
        'plan a sitting, or change its date, deadline or capacity; what is not given stays as it is',
      )
      .argument('<sittingId>', 'the sitting, such as sit_2027q3')
      .option('--panel <panelId>', 'its panel, such as pan_rsp (required for a new sitting)')
      .option('--date <YYYY-MM-DD>', 'the day it meets (required for a new sitting)')
      .option(
        '--deadline <YYYY-MM-DD>',
        'the findings deadline, on or before the date (required for a new sitting)',
      )
      .option('--max-cases <n>', 'how many cases it can take (default for a new sitting: 12)')
      .option('--reviewers-per-case <n>', 'reviewers per case, 1 to 5 (default for a new sitting: 2)')
      .option('--json', 'print the sitting as JSON'),
    SITTINGS_USER,
  ).action(async (sittingId: string, options: PlanOptions, command: Command) => {
    const count = (value: string | undefined, option: string) => {
      if (value === undefined) return undefined;
      if (!/^[1-9]\d*$/.test(value)) command.error(`error: ${option} is a whole number, not "${value}"`);
      return Number(value);
    };
    const maxCases = count(options.maxCases, '--max-cases');
    const reviewersPerCase = count(options.reviewersPerCase, '--reviewers-per-case');
    const client = await connect(command);
    const path = `/sittings/${encodeURIComponent(sittingId)}`;
    const existing = await client.get<Sitting>(path).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    });
    const panelId = options.panel ?? existing?.panelId;
    const date = options.date ?? existing?.date;
    const findingsDeadline = options.deadline ?? existing?.findingsDeadline;
    if (!panelId || !date || !findingsDeadline) {
      command.error(`error: ${sittingId} is a new sitting: give its --panel, --date and --deadline`);
    }
    const sitting = await client.put<Sitting>(path, {
      panelId,
      date,
      findingsDeadline,
      maxCases: maxCases ?? existing?.maxCases ?? 12,
      reviewersPerCase: reviewersPerCase ?? existing?.reviewersPerCase ?? 2,
    });
    if (options.json) return result(JSON.stringify(sitting, null, 2));
    result(
      `${existing ? 'Changed' : 'Planned'} ${sitting.sittingId} of ${sitting.panelId}: meets ${sitting.date}, ` +
        `findings due ${sitting.findingsDeadline}, ${sitting.agenda.length}/${sitting.maxCases} cases, ` +
        `${sitting.reviewersPerCase} reviewers per case (${sitting.status}).`,
    );
  });
}

function addCancel(sittings: Command): void {
  withSignInOptions(
    sittings
      .command('cancel')
      .description('cancel a planned sitting that has no findings; its cases wait for another agenda')
      .argument('<sittingId>', 'the sitting, such as sit_2027q1')
      .requiredOption('--reason <text>', 'why, kept on the sitting'),
    SITTINGS_USER,
  ).action(async (sittingId: string, options: { reason: string }, command: Command) => {
    const client = await connect(command);
    const { agenda } = await client.get<Sitting>(`/sittings/${encodeURIComponent(sittingId)}`);
    await client.post<Sitting>(`/sittings/${encodeURIComponent(sittingId)}/cancellation`, {
      reason: options.reason,
    });
    result(`Cancelled ${sittingId}; ${agenda.length} cases wait for another agenda.`);
  });
}

interface Progress {
  readonly sittingId: string;
  readonly findingsDeadline: string;
  readonly awaitingModeration: number;
  readonly concluded: number;
  readonly carriedOver: number;
  readonly cases: readonly {
    readonly caseId: string;
    readonly origin: string;
    readonly status: string;
    readonly reviewers: number;
    readonly submitted: number;
    readonly verdict?: string;
    readonly concludedBy?: string;
  }[];
}

function addProgress(sittings: Command): void {
  withSignInOptions(
    sittings
      .command('progress')
      .description(
        "where each case on a sitting's agenda stands: findings in, verdicts, what awaits moderation",
      )
      .argument('<sittingId>', 'the sitting, such as sit_2027q1')
      .option('--json', 'print the progress as JSON'),
    SITTINGS_USER,
  ).action(async (sittingId: string, options: JsonOption, command: Command) => {
    const progress = await (await connect(command)).get<Progress>(
      `/sittings/${encodeURIComponent(sittingId)}/progress`,
    );
    result(options.json ? JSON.stringify(progress, null, 2) : formatProgress(progress));
  });
}

function formatProgress(progress: Progress): string {
  return [
    formatTable([
      ['case', 'from', 'status', 'findings', 'verdict'],
      ...progress.cases.map((c): Cell[] => [
        c.caseId,
        c.origin,
        c.status,
        `${c.submitted}/${c.reviewers}`,
        c.verdict ? `${c.verdict}${c.concludedBy === 'moderation' ? ' (moderated)' : ''}` : '',
      ]),
    ]),
    '',
    `${progress.sittingId}: ${progress.concluded} concluded, ${progress.awaitingModeration} awaiting moderation, ` +
      `${progress.carriedOver} carried over; findings due ${progress.findingsDeadline}.`,
  ].join('\n');
}

function addList(sittings: Command): void {
  withSignInOptions(
    sittings
      .command('list')
      .description('list the sittings of the panels you chair (all of them, for an admin), soonest first')
      .option('--json', 'print the sitting records as JSON'),
    SITTINGS_USER,
  ).action(async (options: JsonOption, command: Command) => {
    const { items } = await (await connect(command)).get<{ items: Sitting[] }>('/sittings');
    const sorted = [...items].sort(
      (a, b) => a.date.localeCompare(b.date) || a.sittingId.localeCompare(b.sittingId),
    );
    result(options.json ? JSON.stringify(sorted, null, 2) : formatSittings(sorted));
  });
}

function formatSittings(sittings: readonly Sitting[]): string {
  if (sittings.length === 0) return 'No sittings of panels you chair.';
  return formatTable(
    [
      ['sitting', 'panel', 'date', 'findings deadline', 'status', 'agenda'],
      ...sittings.map((sitting): Cell[] => [
        sitting.sittingId,
        sitting.panelId,
        sitting.date,
        sitting.findingsDeadline,
        sitting.status,
        `${sitting.agenda.length}/${sitting.maxCases}`,
      ]),
    ],
    '',
  );
}

function addReassign(sittings: Command): void {
  withSignInOptions(
    sittings
      .command('reassign')
      .description(
        'move every case a reviewer has in a sitting to other reviewers, under the routing rules; ' +
          'the case history keeps who moved it and why',
      )
      .argument('<sittingId>', 'the sitting, such as sit_2027q1')
      .requiredOption('--from <reviewerId>', 'the reviewer whose cases move, such as rev_jo')
      .requiredOption('--reason <text>', 'why, for the case history, such as "left the panel"')
      .option('--json', 'print the outcome as JSON'),
    SITTINGS_USER,
  ).action(async (sittingId: string, options: ReassignOptions, command: Command) => {
    const client = await connect(command);
    const outcome = await client.post<Reassignment>(
      `/sittings/${encodeURIComponent(sittingId)}/reassignments`,
      {
        fromReviewerId: options.from,
        reason: options.reason,
      },
    );
    if (outcome.moved.length === 0) {
      // Nothing moved is fine for a reviewer with no cases, and a typo otherwise: say which.
      const { items } = await client.get<{ items: { reviewerId: string }[] }>('/reviewers');
      if (!items.some((reviewer) => reviewer.reviewerId === options.from)) {
        throw new Error(`There is no reviewer ${options.from}; see them with: scrutineer reviewers list`);
      }
    }
    result(options.json ? JSON.stringify(outcome, null, 2) : formatReassignment(outcome));
    const stuck = outcome.moved.filter((move) => move.problem !== undefined).length;
    if (stuck > 0) {
      status(
        `error: ${stuck} of ${outcome.moved.length} cases could not be re-routed; ` +
          `${options.from} was taken off them all the same.`,
      );
      process.exitCode = 1;
    }
  });
}

function formatReassignment({ sittingId, fromReviewerId, moved }: Reassignment): string {
  if (moved.length === 0) return `${fromReviewerId} has no open cases in ${sittingId}; nothing moved.`;
  const rerouted = moved.filter((move) => move.problem === undefined).length;
  return [
    `Cases of ${fromReviewerId} in ${sittingId}:`,
    formatTable([
      ['case', 'new reviewers'],
      ...moved.map((move): Cell[] => [
        move.caseId,
        move.problem === undefined ? move.to.join(', ') : `not re-routed: ${move.problem}`,
      ]),
    ]),
    '',
    `Moved ${rerouted} of ${moved.length} cases.`,
  ].join('\n');
}
