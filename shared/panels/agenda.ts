/**
 * A sitting's agenda, set by the chair of its panel: nominated and dip-sampled cases, within the
 * sitting's capacity; what does not fit waits for the next sitting.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { caseKeys } from '../cases/case-store.ts';
import { type CaseStatus, ReviewCaseSchema } from '../cases/review-case.ts';
import { ENV, mainTable, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { tellNominators } from '../nominations/nominator-news.ts';
import { notify } from '../notifications/notifications.ts';
import { moveDueDate, openAssignmentsOfCase, routingKey } from '../routing/assignment-store.ts';
import { startExecutionOnce } from '../start-execution.ts';
import { type Panel, SITTING_OVER, type Sitting, type SittingPlan } from './panel.ts';
import {
  changeSitting,
  createSitting,
  getPanel,
  getSitting,
  listPanels,
  listReviewers,
  listSittings,
  panelKeys,
} from './panel-store.ts';

/** A case in one of these may go on an agenda: it waits for a sitting to review it. */
const AGENDA_READY: readonly CaseStatus[] = ['OPEN', 'CARRIED_OVER'];

/**
 * A sitting, for an admin or the chair of its panel (the lead of an audit review round's team);
 * anyone else is told it does not exist.
 */
export async function sittingFor(principal: Principal, sittingId: string): Promise<Sitting> {
  const sitting = await getSitting(sittingId);
  if (principal.roles.includes('admin')) return sitting;
  const panel = await getPanel(sitting.panelId);
  if (panel.chairSubject !== principal.subject) throw new NotFoundError(`No sitting ${sittingId}`);
  return sitting;
}

/** The panels an admin sees (all) or a chair chairs. */
export async function panelsFor(principal: Principal): Promise<Panel[]> {
  const all = await listPanels();
  return principal.roles.includes('admin')
    ? all
    : all.filter((panel) => panel.chairSubject === principal.subject);
}

/** The sittings an admin sees (all) or of the panels a chair chairs. */
export async function sittingsFor(principal: Principal): Promise<Sitting[]> {
  const all = await listSittings();
  if (principal.roles.includes('admin')) return all;
  const chaired = new Set((await panelsFor(principal)).map((panel) => panel.panelId));
  return all.filter((sitting) => chaired.has(sitting.panelId));
}

export interface AgendaChange {
  readonly added: string[];
  readonly alreadyOnAgenda: string[];
  readonly deferred: { caseId: string; reason: string }[];
  readonly agenda: string[];
}

export async function addToAgenda(
  principal: Principal,
  sittingId: string,
  caseIds: readonly string[],
  now = new Date(),
): Promise<AgendaChange> {
  const sitting = await sittingFor(principal, sittingId);
  if (SITTING_OVER.includes(sitting.status)) {
    throw new ConflictError(
      `Sitting ${sittingId} is ${sitting.status.toLowerCase()}: its agenda never changes`,
    );
  }
  const agenda = [...sitting.agenda];
  const change: AgendaChange = { added: [], alreadyOnAgenda: [], deferred: [], agenda };
  for (const caseId of caseIds) {
    if (agenda.includes(caseId)) {
      change.alreadyOnAgenda.push(caseId);
      continue;
    }
    const { Item } = await documents.send(
      new GetCommand({ TableName: mainTable(), Key: caseKeys.item(caseId) }),
    );
    const reviewCase = Item ? ReviewCaseSchema.parse(Item) : undefined;
    if (!reviewCase) {
      change.deferred.push({ caseId, reason: 'no such case' });
    } else if (!AGENDA_READY.includes(reviewCase.status)) {
      change.deferred.push({ caseId, reason: `the case is ${reviewCase.status.toLowerCase()}` });
    } else if (
      reviewCase.sittingId &&
      reviewCase.sittingId !== sittingId &&
      reviewCase.status !== 'CARRIED_OVER'
    ) {
      change.deferred.push({ caseId, reason: `already on the agenda of ${reviewCase.sittingId}` });
    } else if (agenda.length >= sitting.maxCases) {
      change.deferred.push({
        caseId,
        reason: `the sitting is full (${sitting.maxCases} cases); it waits for the next`,
      });
    } else {
      agenda.push(caseId);
      change.added.push(caseId);
    }
  }
  if (change.added.length === 0) return change;
  try {
    // Only if nobody changed the agenda meanwhile: two chairs' edits never overwrite each other.
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: panelKeys.sitting(sittingId),
        UpdateExpression: 'SET agenda = :agenda',
        ConditionExpression: 'size(agenda) = :before',
        ExpressionAttributeValues: { ':agenda': agenda, ':before': sitting.agenda.length },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new ConflictError('The agenda changed meanwhile; try again');
    throw error;
  }
  for (const caseId of change.added) {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: caseKeys.item(caseId),
        UpdateExpression: 'SET sittingId = :sitting',
        ExpressionAttributeValues: { ':sitting': sittingId },
      }),
    );
    await tellNominators(caseId, 'nomination-on-agenda', { sittingId }, now.toISOString());
  }
  return change;
}

/**
 * Starts routing the sitting's waiting cases. The execution is named after the agenda, so asking
 * twice for the same agenda routes it once.
 */
export async function startRouting(principal: Principal, sittingId: string, requestId: string) {
  const sitting = await sittingFor(principal, sittingId);
  const name = deterministicId('rte', sittingId, sitting.agenda.join(','));
  await startExecutionOnce(requireEnv(ENV.routingStateMachine), name, {
    sittingId,
    requestedBy: { subject: principal.subject },
    requestId,
  });
  return { sittingId, execution: name, cases: sitting.agenda.length };
}

/** The reviewer record of the signed-in person, if they sit on a panel. */
export async function reviewerOf(principal: Principal) {
  return (await listReviewers()).find((reviewer) => reviewer.subject === principal.subject);
}

/** Refused plans: a 400 naming the field, as the schema's own refusals do. */
function refusePlan(field: keyof SittingPlan, reason: string): never {
  throw new ValidationError(`${field} ${reason}`, [{ field: `body.${field}`, reason }]);
}

/**
 * Plans or changes a sitting. An admin may do so for any panel; a chair only for the panels they
 * chair (a sitting of another panel answers as missing). The lifecycle holds: a new sitting is
 * PLANNED and does not meet in the past; a closed sitting never changes; a sitting in session
 * keeps its date; a changed deadline is not in the past, and moves the due date of every open
 * assignment that was due on the old one, each reviewer told. The agenda is never replaced here,
 * nor cut below the cases on it.
 */
export async function planSitting(
  principal: Principal,
  sittingId: string,
  plan: SittingPlan,
  now = new Date(),
): Promise<Sitting> {
  const today = now.toISOString().slice(0, 10);
  const panel = await getPanel(plan.panelId).catch(() => undefined);
  const mayPlan = principal.roles.includes('admin') || panel?.chairSubject === principal.subject;
  if (!panel || !mayPlan) throw new NotFoundError(`No panel ${plan.panelId}`);
  const existing = await getSitting(sittingId).catch(() => undefined);
  if (!existing) {
    if (panel.kind === 'audit')
      throw new ConflictError(
        `${panel.panelId} is an audit team: its rounds are opened from their sample (POST /samples/{sampleId}/review-rounds)`,
      );
    if (plan.date < today) refusePlan('date', `must not be in the past (today is ${today})`);
    const sitting: Sitting = { ...plan, sittingId, status: 'PLANNED', agenda: [] };
    if (!(await createSitting(sitting)))
      throw new ConflictError(`Sitting ${sittingId} was planned meanwhile; look again`);
    return sitting;
  }
  if (existing.panelId !== plan.panelId) {
    throw new ConflictError(`Sitting ${sittingId} belongs to another panel`);
  }
  await sittingFor(principal, sittingId);
  if (SITTING_OVER.includes(existing.status)) {
    throw new ConflictError(
      `Sitting ${sittingId} is ${existing.status.toLowerCase()}: a ${existing.status.toLowerCase()} sitting never changes`,
    );
  }
  if (plan.date !== existing.date) {
    if (existing.status === 'IN_SESSION') {
      throw new ConflictError(`Sitting ${sittingId} met on ${existing.date}: its date no longer changes`);
    }
    if (plan.date < today) refusePlan('date', `must not be in the past (today is ${today})`);
  }
  if (plan.findingsDeadline !== existing.findingsDeadline && plan.findingsDeadline < today) {
    refusePlan('findingsDeadline', `must not be in the past (today is ${today})`);
  }
  if (plan.maxCases < existing.agenda.length) {
    refusePlan('maxCases', `must not be below the ${existing.agenda.length} cases already on the agenda`);
  }
  if (!(await changeSitting(existing, plan))) {
    throw new ConflictError(
      `Sitting ${sittingId} changed meanwhile (closed, or its agenda or deadline); look again`,
    );
  }
  if (plan.findingsDeadline !== existing.findingsDeadline) {
    await moveDueDates(existing, plan.findingsDeadline, now.toISOString());
  }
  return { ...existing, ...plan };
}

/** Every open assignment of the sitting due on its old deadline moves to the new one; its reviewer is told. */
async function moveDueDates(sitting: Sitting, to: string, at: string): Promise<void> {
  for (const caseId of sitting.agenda) {
    for (const assignment of await openAssignmentsOfCase(caseId, sitting.sittingId)) {
      const moved = await moveDueDate(assignment.assignmentId, sitting.findingsDeadline, to);
      if (moved && assignment.reviewerSubject) {
        await notify(
          assignment.reviewerSubject,
          'deadline-changed',
          { caseId, sittingId: sitting.sittingId, dueDate: to },
          at,
        );
      }
    }
  }
}

/**
 * Why each case on the agenda went to whom: its status, reviewers, and the last routing's picks
 * with their reasons and exclusions with their rules, for the chair.
 */
export async function routingOfSitting(principal: Principal, sittingId: string) {
  const sitting = await sittingFor(principal, sittingId);
  const cases = [];
  for (const caseId of sitting.agenda) {
    const [caseItem, routing] = await Promise.all([
      documents.send(new GetCommand({ TableName: mainTable(), Key: caseKeys.item(caseId) })),
      documents.send(new GetCommand({ TableName: mainTable(), Key: routingKey(caseId) })),
    ]);
    const reviewCase = caseItem.Item ? ReviewCaseSchema.parse(caseItem.Item) : undefined;
    cases.push({
      caseId,
      status: reviewCase?.status ?? 'UNKNOWN',
      reviewers: [...((caseItem.Item?.assignedReviewers as Set<string> | undefined) ?? [])].sort(),
      ...(caseItem.Item?.unassignable ? { unassignable: String(caseItem.Item.unassignable) } : {}),
      ...(routing.Item
        ? {
            routing: {
              algorithm: routing.Item.algorithm,
              routedAt: routing.Item.routedAt,
              outcome: routing.Item.outcome,
            },
          }
        : {}),
    });
  }
  return { sittingId, cases };
}
