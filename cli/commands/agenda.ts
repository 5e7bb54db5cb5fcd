/**
 * `scrutineer agenda …`: the chair's agenda work. The cases waiting for an agenda, putting cases
 * on a sitting's agenda, taking one off with a reason, routing the agenda to reviewers, and
 * naming a reviewer for a case.
 */
import type { Command } from 'commander';
import { connect, withSignInOptions } from '../config.ts';
import { type Cell, formatTable, result } from '../output.ts';

/** The agenda is the chair's: the commands sign in as the chair unless told otherwise. */
const AGENDA_USER = 'chair';

interface WaitingCase {
  readonly caseId: string;
  readonly status: string;
  readonly source: string;
  readonly sampleId?: string;
  readonly waitingDays: number;
  readonly offenceGroup?: string;
  readonly decidingBody?: string;
  readonly decisionDate?: string;
  readonly victimConsent?: string;
  readonly nominations: number;
}

interface WaitingPage {
  readonly items: readonly WaitingCase[];
  readonly total: number;
  readonly next?: string;
}

interface AgendaChange {
  readonly added: readonly string[];
  readonly alreadyOnAgenda: readonly string[];
  readonly deferred: readonly { caseId: string; reason: string }[];
  readonly agenda: readonly string[];
}

interface WaitingOptions {
  readonly source?: string;
  readonly offenceGroup?: string;
  readonly decidingBody?: string;
  readonly consent?: string;
  readonly sample?: string;
  readonly json?: boolean;
}

export function addAgendaCommand(program: Command): void {
  const agenda = program
    .command('agenda')
    .description("a sitting's agenda: the cases waiting for one, add, take off, route, assign");
  addWaiting(agenda);
  addAdd(agenda);
  addRemove(agenda);
  addRoute(agenda);
  addAssign(agenda);
}

function addAssign(agenda: Command): void {
  withSignInOptions(
    agenda
      .command('assign')
      .description(
        'put a reviewer you name on a case of your sitting; the routing rules hold and pick its other reviewers',
      )
      .argument('<caseId>', 'the case, such as case_…')
      .requiredOption('--reviewer <reviewerId>', 'the reviewer, such as rev_harper')
      .requiredOption('--reason <text>', 'why this reviewer, kept as the reason of the pick'),
    AGENDA_USER,
  ).action(async (caseId: string, options: { reviewer: string; reason: string }, command: Command) => {
    const assigned = await (await connect(command)).post<{
      sittingId: string;
      picks: readonly { reviewerId: string; reason: string }[];
    }>(`/cases/${encodeURIComponent(caseId)}/assignments`, {
      reviewerId: options.reviewer,
      reason: options.reason,
    });
    result(
      [
        `Assigned ${caseId} in ${assigned.sittingId}:`,
        ...assigned.picks.map((pick) => `  ${pick.reviewerId}: ${pick.reason}`),
      ].join('\n'),
    );
  });
}

function addWaiting(agenda: Command): void {
  withSignInOptions(
    agenda
      .command('waiting')
      .description('list the cases waiting for an agenda, oldest first')
      .option('--source <source>', 'nomination or dip-sample')
      .option('--offence-group <group>', 'such as rape')
      .option('--deciding-body <body>', 'police or cps')
      .option('--consent <consent>', 'the victim consent of the latest nomination')
      .option('--sample <sampleId>', "only this sample's picks")
      .option('--json', 'print the records as JSON'),
    AGENDA_USER,
  ).action(async (options: WaitingOptions, command: Command) => {
    const client = await connect(command);
    const filters = new URLSearchParams({
      ...(options.source ? { source: options.source } : {}),
      ...(options.offenceGroup ? { offenceGroup: options.offenceGroup } : {}),
      ...(options.decidingBody ? { decidingBody: options.decidingBody } : {}),
      ...(options.consent ? { victimConsent: options.consent } : {}),
      ...(options.sample ? { sampleId: options.sample } : {}),
      limit: '200',
    });
    const items: WaitingCase[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.get<WaitingPage>(
        `/cases?${filters.toString()}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      items.push(...page.items);
      cursor = page.next;
    } while (cursor);
    result(options.json ? JSON.stringify(items, null, 2) : formatWaiting(items));
  });
}

function formatWaiting(items: readonly WaitingCase[]): string {
  if (items.length === 0) return 'No case is waiting for an agenda.';
  return formatTable(
    [
      ['case', 'source', 'offence', 'decided by', 'decision date', 'consent', 'waiting'],
      ...items.map((item): Cell[] => [
        item.status === 'CARRIED_OVER' ? `${item.caseId} (carried over)` : item.caseId,
        item.sampleId ? `sample ${item.sampleId}` : `${item.nominations} nomination(s)`,
        item.offenceGroup ?? '',
        item.decidingBody ?? '',
        item.decisionDate ?? '',
        item.victimConsent ?? '',
        `${item.waitingDays} days`,
      ]),
    ],
    '',
  );
}

function addAdd(agenda: Command): void {
  withSignInOptions(
    agenda
      .command('add')
      .description("put cases on a sitting's agenda, within its capacity; what does not fit waits")
      .argument('<sittingId>', 'the sitting, such as sit_2027q1')
      .argument('<caseIds...>', 'the cases, such as case_…')
      .option('--json', 'print the outcome as JSON'),
    AGENDA_USER,
  ).action(async (sittingId: string, caseIds: string[], options: { json?: boolean }, command: Command) => {
    const change = await (await connect(command)).post<AgendaChange>(
      `/sittings/${encodeURIComponent(sittingId)}/agenda`,
      { caseIds },
    );
    if (options.json) return result(JSON.stringify(change, null, 2));
    result(
      [
        `Added ${change.added.length} to ${sittingId}; its agenda has ${change.agenda.length} cases.`,
        ...change.alreadyOnAgenda.map((caseId) => `  ${caseId}: already on the agenda`),
        ...change.deferred.map(({ caseId, reason }) => `  ${caseId}: not added, ${reason}`),
      ].join('\n'),
    );
  });
}

function addRemove(agenda: Command): void {
  withSignInOptions(
    agenda
      .command('remove')
      .description(
        "take a case off a sitting's agenda before any finding; its assignments are withdrawn and it waits again",
      )
      .argument('<sittingId>', 'the sitting, such as sit_2027q1')
      .argument('<caseId>', 'the case, such as case_…')
      .requiredOption('--reason <text>', 'why, for the case history'),
    AGENDA_USER,
  ).action(async (sittingId: string, caseId: string, options: { reason: string }, command: Command) => {
    const removed = await (await connect(command)).post<{ withdrawnFrom: readonly string[] }>(
      `/sittings/${encodeURIComponent(sittingId)}/agenda/removals`,
      { caseId, reason: options.reason },
    );
    const withdrawn = removed.withdrawnFrom.length
      ? `; assignments withdrawn from ${removed.withdrawnFrom.join(', ')}`
      : '';
    result(`Took ${caseId} off ${sittingId}${withdrawn}. It waits for another agenda.`);
  });
}

function addRoute(agenda: Command): void {
  withSignInOptions(
    agenda
      .command('route')
      .description("route the sitting's waiting cases to reviewers under the conflict and capacity rules")
      .argument('<sittingId>', 'the sitting, such as sit_2027q1'),
    AGENDA_USER,
  ).action(async (sittingId: string, _options: unknown, command: Command) => {
    const started = await (await connect(command)).post<{ execution: string; cases: number }>(
      `/sittings/${encodeURIComponent(sittingId)}/routing`,
    );
    result(
      `Routing ${started.cases} cases of ${sittingId} (${started.execution}); ` +
        `see where each went with: scrutineer sittings progress ${sittingId}`,
    );
  });
}
