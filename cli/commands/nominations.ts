/**
 * `scrutineer nominations …`: a nominator's own nominations. List them with where each stands,
 * show one with its outcome and every version, change what the victim wants (a new version),
 * withdraw one with a reason, and see the NFA decisions on a crime to choose the one to nominate.
 */
import type { Command } from 'commander';
import { connect, withSignInOptions } from '../config.ts';
import { type Cell, formatTable, result } from '../output.ts';

/** Nominations are an ISVA's, a CPS prosecutor's or an officer's: the commands sign in as the ISVA unless told otherwise. */
const NOMINATIONS_USER = 'isva';
const CONSENT = ['consents', 'does_not_consent', 'not_yet_asked'] as const;

interface Version {
  readonly version: number;
  readonly madeAt: string;
  readonly victimConsent: string;
  readonly victimWishes?: string;
  readonly vrrStatus: string;
  readonly reasonCodes: readonly string[];
}

interface Nomination {
  readonly nominationId: string;
  readonly caseId: string;
  readonly decisionId: string;
  readonly status: string;
  readonly sittingId?: string;
  readonly nominatedAt: string;
  readonly version?: number;
  readonly victimConsent: string;
  readonly victimWishes?: string;
  readonly vrrStatus: string;
  readonly reasonCodes: readonly string[];
  readonly withdrawn?: { at: string; reason: string };
  readonly outcome?: {
    verdict?: string;
    concludedAt?: string;
    recommendations: { text: string; owner: string; dueDate: string; status: string }[];
  };
  readonly versions?: readonly Version[];
  readonly case?: { caseId: string; outcome: string; reason?: string };
}

interface Candidate {
  readonly decisionId: string;
  readonly decidingBody: string;
  readonly decisionMonth: string;
  readonly decisionType: string;
  readonly outcome: string;
  readonly eligible: boolean;
  readonly reason?: string;
}

interface UpdateOptions {
  readonly consent?: string;
  readonly wishes?: string;
  readonly vrr?: string;
  readonly reasons?: string;
  readonly text?: string;
  readonly json?: boolean;
}

const path = (nominationId: string) => `/nominations/${encodeURIComponent(nominationId)}`;

export function addNominationsCommand(program: Command): void {
  const nominations = program
    .command('nominations')
    .description('your nominations: list, show, update, withdraw; the decisions on a crime to choose from');
  withSignInOptions(
    nominations
      .command('list')
      .description('your nominations, newest first, with where each case stands')
      .option('--json', 'print the records as JSON'),
    NOMINATIONS_USER,
  ).action(async (options: { json?: boolean }, command: Command) => {
    const { items } = await (await connect(command)).get<{ items: Nomination[] }>('/nominations');
    result(options.json ? JSON.stringify(items, null, 2) : formatNominations(items));
  });
  withSignInOptions(
    nominations
      .command('show')
      .description('one of your nominations: where it stands, the outcome once concluded, every version')
      .argument('<nominationId>', 'the nomination, such as nom_…')
      .option('--json', 'print the record as JSON'),
    NOMINATIONS_USER,
  ).action(async (nominationId: string, options: { json?: boolean }, command: Command) => {
    const nomination = await (await connect(command)).get<Nomination>(path(nominationId));
    result(options.json ? JSON.stringify(nomination, null, 2) : formatNomination(nomination));
  });
  addUpdate(nominations);
  withSignInOptions(
    nominations
      .command('withdraw')
      .description('withdraw your nomination; its case goes too when nothing else holds it')
      .argument('<nominationId>', 'the nomination, such as nom_…')
      .requiredOption('--reason <text>', 'why it is withdrawn, for the record'),
    NOMINATIONS_USER,
  ).action(async (nominationId: string, options: { reason: string }, command: Command) => {
    const withdrawn = await (await connect(command)).post<Nomination>(`${path(nominationId)}/withdrawal`, {
      reason: options.reason,
    });
    const caseOutcome =
      withdrawn.case?.outcome === 'withdrawn'
        ? `case ${withdrawn.caseId} withdrawn with it`
        : `case ${withdrawn.caseId} stays (${withdrawn.case?.reason ?? 'held otherwise'})`;
    result(`Withdrew ${withdrawn.nominationId}; ${caseOutcome}.`);
  });
  withSignInOptions(
    nominations
      .command('candidates')
      .description('the NFA and filing decisions on a crime, to choose the one to nominate')
      .argument('<crimeReference>', 'the crime reference as the force writes it')
      .option('--json', 'print the records as JSON'),
    NOMINATIONS_USER,
  ).action(async (crimeReference: string, options: { json?: boolean }, command: Command) => {
    const { items } = await (await connect(command)).get<{ items: Candidate[] }>(
      `/nominations/candidates?crimeReference=${encodeURIComponent(crimeReference)}`,
    );
    result(options.json ? JSON.stringify(items, null, 2) : formatCandidates(items));
  });
}

function addUpdate(nominations: Command): void {
  withSignInOptions(
    nominations
      .command('update')
      .description(
        'change your nomination (a new version; the chair is told at once if consent is withdrawn)',
      )
      .argument('<nominationId>', 'the nomination, such as nom_…')
      .option('--consent <consent>', `the victim's consent: ${CONSENT.join(', ')}`)
      .option('--wishes <text>', 'what the victim wants (an empty text clears it)')
      .option('--vrr <status>', "the Victims' Right to Review status")
      .option('--reasons <codes>', 'reason codes, comma-separated')
      .option('--text <text>', 'the free text')
      .option('--json', 'print the record as JSON'),
    NOMINATIONS_USER,
  ).action(async (nominationId: string, options: UpdateOptions, command: Command) => {
    if (options.consent && !(CONSENT as readonly string[]).includes(options.consent)) {
      command.error(`--consent must be one of ${CONSENT.join(', ')}`, { exitCode: 2 });
    }
    const body = {
      ...(options.consent ? { victimConsent: options.consent } : {}),
      ...(options.wishes !== undefined ? { victimWishes: options.wishes } : {}),
      ...(options.vrr ? { vrrStatus: options.vrr } : {}),
      ...(options.reasons ? { reasonCodes: options.reasons.split(',').map((code) => code.trim()) } : {}),
      ...(options.text !== undefined ? { freeText: options.text } : {}),
    };
    if (Object.keys(body).length === 0) {
      command.error('give at least one of --consent, --wishes, --vrr, --reasons, --text', { exitCode: 2 });
    }
    const updated = await (await connect(command)).put<Nomination>(path(nominationId), body);
    result(
      options.json
        ? JSON.stringify(updated, null, 2)
        : `${updated.nominationId} is at version ${updated.version ?? 1} (victim ${updated.victimConsent}).`,
    );
  });
}

function formatNominations(items: readonly Nomination[]): string {
  if (items.length === 0) return 'No nominations.';
  return formatTable(
    [
      ['nomination', 'case', 'nominated', 'version', 'consent', 'status', 'verdict'],
      ...items.map((item): Cell[] => [
        item.nominationId,
        item.caseId,
        item.nominatedAt.slice(0, 10),
        item.version ?? 1,
        item.victimConsent,
        item.sittingId ? `${item.status} (${item.sittingId})` : item.status,
        item.outcome?.verdict ?? '',
      ]),
    ],
    '',
  );
}

function formatNomination(nomination: Nomination): string {
  const lines = [
    `${nomination.nominationId}: ${nomination.status}${nomination.sittingId ? ` on ${nomination.sittingId}` : ''}`,
    `case ${nomination.caseId}, decision ${nomination.decisionId}, nominated ${nomination.nominatedAt.slice(0, 10)}`,
  ];
  if (nomination.withdrawn) {
    lines.push(`withdrawn ${nomination.withdrawn.at.slice(0, 10)}: ${nomination.withdrawn.reason}`);
  }
  if (nomination.outcome) {
    lines.push(
      '',
      `verdict: ${nomination.outcome.verdict ?? 'not given'} (concluded ${nomination.outcome.concludedAt?.slice(0, 10) ?? ''})`,
    );
    const { recommendations } = nomination.outcome;
    lines.push(
      recommendations.length === 0
        ? 'no recommendations accepted'
        : formatTable(
            [
              ['recommendation', 'owner', 'due', 'status'],
              ...recommendations.map((r): Cell[] => [r.text, r.owner, r.dueDate, r.status]),
            ],
            '',
          ),
    );
  }
  if (nomination.versions) {
    lines.push(
      '',
      formatTable(
        [
          ['version', 'made', 'consent', 'VRR', 'wishes'],
          ...nomination.versions.map((v): Cell[] => [
            v.version,
            v.madeAt.slice(0, 10),
            v.victimConsent,
            v.vrrStatus,
            v.victimWishes ?? '',
          ]),
        ],
        '',
      ),
    );
  }
  return lines.join('\n');
}

function formatCandidates(items: readonly Candidate[]): string {
  if (items.length === 0) return 'No NFA or filing decision has this crime reference.';
  return formatTable(
    [
      ['decision', 'decided by', 'month', 'type', 'outcome', 'nominate?'],
      ...items.map((item): Cell[] => [
        item.decisionId,
        item.decidingBody,
        item.decisionMonth,
        item.decisionType,
        item.outcome,
        item.eligible ? 'yes' : `no: ${item.reason ?? ''}`,
      ]),
    ],
    '',
  );
}
