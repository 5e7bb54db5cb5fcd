/**
 * Putting reviewers on cases, and taking them off. Each change to a case's reviewers is one
 * transaction (assignment-store.ts): the places in the reviewers' capacity, the assignments they
 * pay for, the case's reviewers and status, the history events and the routing record are written
 * all together or not at all, on condition that the case, the loads and the sitting are still as
 * they were read. A refused change has written nothing; it is planned again on what is there now,
 * so two routings of one case, or a routing racing a decline, end with one set of assignments.
 * At most 5 reviewers per case keep every such change far below the 100 items of a transaction.
 */

import type { CaseStatus } from '../cases/review-case.ts';
import { type LabelledItem, TransactionRefused, transactWrite } from '../data/transactions.ts';
import { decisionsOfCrime, getDecision } from '../decisions/decision-store.ts';
import { ConflictError, NotFoundError, TransientError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { tellNominators } from '../nominations/nominator-news.ts';
import { chairsOf, notify } from '../notifications/notifications.ts';
import { sittingFor } from '../panels/agenda.ts';
import { type Panel, type Reviewer, SITTING_OVER, type Sitting } from '../panels/panel.ts';
import { getPanel, getSitting, listReviewers, sittingNotOver } from '../panels/panel-store.ts';
import { currentQuestionSet } from '../review/question-sets.ts';
import {
  type Assignment,
  type AssignmentEnding,
  assignmentIdOf,
  type CaseReviewers,
  caseReviewers,
  changeCaseReviewers,
  endAssignment,
  freeCapacity,
  getAssignment,
  historyEvent,
  listAssignmentsOf,
  loadsOf,
  moveQuestionSet,
  OPEN_ASSIGNMENT,
  putAssignment,
  recordHistory,
  reserveCapacity,
  routingRecord,
} from './assignment-store.ts';
import {
  type NamedPick,
  type NamedRefusal,
  ROUTING_ALGORITHM,
  type RoutingCase,
  type RoutingOutcome,
  type RoutingReviewer,
  routeCase,
  routeWithNamed,
} from './route-cases.ts';

export interface Actor {
  readonly subject: string;
  readonly requestId: string;
}

type Skipped = { caseId: string; status: 'skipped'; reason: string };

/** A case in one of these waits for reviewers in the sitting whose agenda holds it. */
export const ROUTABLE: readonly CaseStatus[] = ['OPEN', 'CARRIED_OVER'];
/** A case in one of these can lose a reviewer and be routed again in its sitting. */
const REROUTABLE: readonly CaseStatus[] = ['ASSIGNED', 'IN_REVIEW', 'OPEN'];

/** Plans refused because others changed the case or the loads meanwhile, before giving up for a retry. */
const PLANNING_ATTEMPTS = 6;

interface RoutingContext {
  readonly sitting: Sitting;
  readonly panel: Panel;
  readonly members: readonly Reviewer[];
  /** The question set current now: what the assignments made now answer. */
  readonly questionSetVersion: number;
}

async function routingContext(sittingId: string): Promise<RoutingContext> {
  const sitting = await getSitting(sittingId);
  const panel = await getPanel(sitting.panelId);
  const members = (await listReviewers()).filter((reviewer) =>
    panel.memberReviewerIds.includes(reviewer.reviewerId),
  );
  return { sitting, panel, members, questionSetVersion: (await currentQuestionSet()).version };
}

/** Routes the case under the rules (route-cases.ts) against the loads as they are now. */
function plan(
  context: RoutingContext,
  reviewers: Pick<CaseReviewers, 'caseId' | 'decisionId' | 'assigned' | 'declined'>,
): Promise<RoutingOutcome>;
/** The same, with a reviewer the chair names first. */
function plan(
  context: RoutingContext,
  reviewers: Pick<CaseReviewers, 'caseId' | 'decisionId' | 'assigned' | 'declined'>,
  named: NamedPick,
): Promise<RoutingOutcome | NamedRefusal>;
async function plan(
  context: RoutingContext,
  reviewers: Pick<CaseReviewers, 'caseId' | 'decisionId' | 'assigned' | 'declined'>,
  named?: NamedPick,
): Promise<RoutingOutcome | NamedRefusal> {
  const decision = await getDecision(reviewers.decisionId);
  const loads = await loadsOf(context.sitting.sittingId);
  const investigation =
    decision.decidingBody === 'cps'
      ? (await decisionsOfCrime(decision.crimeReference))
          .filter((other) => other.decidingBody === 'police')
          .map((police) => ({
            ...(police.unit ? { unit: police.unit } : {}),
            ...(police.decisionMakerId ? { decisionMakerId: police.decisionMakerId } : {}),
            ...(police.officerInCaseId ? { officerInCaseId: police.officerInCaseId } : {}),
          }))
      : [];
  const route = (reviewCase: RoutingCase, members: readonly RoutingReviewer[], seed: string) =>
    named ? routeWithNamed(reviewCase, members, seed, named) : routeCase(reviewCase, members, seed);
  return route(
    {
      caseId: reviewers.caseId,
      decisionId: decision.decisionId,
      decidingBody: decision.decidingBody,
      ...(decision.unit ? { unit: decision.unit } : {}),
      ...(decision.decisionMakerId ? { decisionMakerId: decision.decisionMakerId } : {}),
      ...(decision.officerInCaseId ? { officerInCaseId: decision.officerInCaseId } : {}),
      ...(investigation.length > 0 ? { investigation } : {}),
      reviewersNeeded: context.sitting.reviewersPerCase,
      declinedBy: reviewers.declined,
      alreadyAssigned: reviewers.assigned,
      independenceRequired: context.panel.kind !== 'audit',
    },
    context.members.map((reviewer) => ({
      reviewerId: reviewer.reviewerId,
      agency: reviewer.agency,
      ...(reviewer.unit ? { unit: reviewer.unit } : {}),
      ...(reviewer.personId ? { personId: reviewer.personId } : {}),
      capacity: reviewer.capacityPerSitting,
      load: loads.get(reviewer.reviewerId)?.size ?? 0,
      standingConflicts: reviewer.standingConflicts,
      active: reviewer.active,
    })),
    context.sitting.sittingId,
  );
}

interface Leaving {
  readonly reviewerId: string;
  readonly items: readonly LabelledItem[];
}

/**
 * The routing outcome as transaction items: for each pick a place in their capacity, the
 * assignment and its `assigned` event (and, when someone left, a `reassigned` event from them to
 * the pick); the case's reviewers and status; the routing record; the sitting still open.
 */
function routingItems(
  context: RoutingContext,
  seen: CaseReviewers,
  outcome: RoutingOutcome,
  actor: Actor,
  at: string,
  dueDate: string,
  leaving?: Leaving,
): { items: LabelledItem[]; assignments: Assignment[] } {
  const { sittingId } = context.sitting;
  const caseId = seen.caseId;
  const remaining = seen.assigned.filter((id) => id !== leaving?.reviewerId);
  const declined = leaving ? [...new Set([...seen.declined, leaving.reviewerId])] : seen.declined;
  const record = routingRecord(caseId, { sittingId, algorithm: ROUTING_ALGORITHM, routedAt: at, outcome });
  if (outcome.status === 'unassignable') {
    return {
      items: [
        ...(leaving?.items ?? []),
        changeCaseReviewers(seen, {
          assigned: remaining,
          declined,
          status: 'OPEN',
          unassignable: outcome.reason,
        }),
        record,
      ],
      assignments: [],
    };
  }
  const assignments: Assignment[] = [];
  const items: LabelledItem[] = [...(leaving?.items ?? [])];
  for (const pick of outcome.picks) {
    const reviewer = context.members.find((member) => member.reviewerId === pick.reviewerId);
    const assignment: Assignment = {
      assignmentId: assignmentIdOf(caseId, sittingId, pick.reviewerId),
      caseId,
      sittingId,
      reviewerId: pick.reviewerId,
      ...(reviewer?.subject ? { reviewerSubject: reviewer.subject } : {}),
      role: 'reviewer',
      status: 'assigned',
      reason: pick.reason,
      dueDate,
      assignedAt: at,
      questionSetVersion: context.questionSetVersion,
    };
    assignments.push(assignment);
    const by = { by: actor.subject, why: pick.reason, requestId: actor.requestId };
    items.push(
      reserveCapacity(sittingId, pick.reviewerId, caseId, reviewer?.capacityPerSitting ?? 0),
      putAssignment(assignment),
      historyEvent(caseId, { action: 'assigned', reviewerId: pick.reviewerId, ...by }, at),
    );
    if (leaving) {
      items.push(
        historyEvent(
          caseId,
          { action: 'reassigned', fromReviewerId: leaving.reviewerId, reviewerId: pick.reviewerId, ...by },
          at,
        ),
      );
    }
  }
  items.push(
    changeCaseReviewers(seen, {
      assigned: [...remaining, ...outcome.picks.map((pick) => pick.reviewerId)],
      declined,
      status: 'ASSIGNED',
    }),
    record,
    sittingNotOver(sittingId),
  );
  return { items, assignments };
}

/** Tells the picked reviewers, or the chair when nobody could be found. */
async function announce(
  context: RoutingContext,
  caseId: string,
  outcome: RoutingOutcome,
  assignments: readonly Assignment[],
  at: string,
) {
  const { sittingId } = context.sitting;
  if (outcome.status === 'unassignable') {
    await notify(chairsOf(context.panel.panelId), 'case-unassignable', { caseId, sittingId }, at);
  }
  for (const assignment of assignments) {
    if (assignment.reviewerSubject) {
      await notify(
        assignment.reviewerSubject,
        'assigned',
        { caseId, sittingId, dueDate: assignment.dueDate },
        at,
      );
    }
  }
  if (assignments.length > 0) await tellNominators(caseId, 'nomination-in-review', { sittingId }, at);
}

async function writeOrRefuse(items: readonly LabelledItem[]): Promise<boolean> {
  try {
    await transactWrite(items);
    return true;
  } catch (error) {
    if (error instanceof TransactionRefused) return false;
    throw error;
  }
}

/**
 * Routes one case of a sitting and assigns the picks, in one transaction. Of any number of
 * routings of one case at once, one assigns it; the others find it assigned and skip it.
 */
export async function routeAndAssign(
  caseId: string,
  sittingId: string,
  actor: Actor,
  now = new Date(),
  /** When the reviewers picked now must report by; the sitting's findings deadline unless given. */
  dueDate?: string,
): Promise<RoutingOutcome | Skipped> {
  const at = now.toISOString();
  for (let attempt = 1; attempt <= PLANNING_ATTEMPTS; attempt++) {
    const [context, seen] = await Promise.all([routingContext(sittingId), caseReviewers(caseId)]);
    if (SITTING_OVER.includes(context.sitting.status)) {
      return { caseId, status: 'skipped', reason: `the sitting is ${context.sitting.status.toLowerCase()}` };
    }
    if (seen.sittingId !== sittingId || !ROUTABLE.includes(seen.status)) {
      return { caseId, status: 'skipped', reason: 'the case is not waiting for reviewers in this sitting' };
    }
    const outcome = await plan(context, seen);
    const change = routingItems(
      context,
      seen,
      outcome,
      actor,
      at,
      dueDate ?? context.sitting.findingsDeadline,
    );
    if (!(await writeOrRefuse(change.items))) continue;
    await announce(context, caseId, outcome, change.assignments, at);
    return outcome;
  }
  throw new TransientError(`Case ${caseId}: its reviewers kept changing while it was routed; route it again`);
}

/**
 * The chair puts a reviewer they name on a case of their sitting, with a reason: the routing rules
 * hold for the named reviewer (a refusal is a 400 naming every rule that applies), and the case's
 * other places are picked by the rules in the same transaction (routeWithNamed).
 */
export async function assignNamedReviewer(
  principal: Principal,
  caseId: string,
  named: NamedPick,
  actor: Actor,
  now = new Date(),
) {
  const at = now.toISOString();
  for (let attempt = 1; attempt <= PLANNING_ATTEMPTS; attempt++) {
    const seen = await caseReviewers(caseId);
    if (!seen.sittingId) throw new ConflictError(`Case ${caseId} is on no agenda: put it on one first`);
    const sitting = await sittingFor(principal, seen.sittingId);
    if (SITTING_OVER.includes(sitting.status)) {
      throw new ConflictError(`Sitting ${sitting.sittingId} is ${sitting.status.toLowerCase()}`);
    }
    if (![...ROUTABLE, ...REROUTABLE].includes(seen.status)) {
      throw new ConflictError(`Case ${caseId} is ${seen.status.toLowerCase()}: it takes no new reviewer`);
    }
    const context = await routingContext(sitting.sittingId);
    const outcome = await plan(context, seen, named);
    if (outcome.status === 'refused') {
      const reasons = outcome.rules.map(({ rule, detail }) => `${rule}: ${detail}`);
      throw new ValidationError(
        `${named.reviewerId} cannot review ${caseId}: ${reasons.join('; ')}`,
        reasons.map((reason) => ({ field: 'body.reviewerId', reason })),
      );
    }
    if (outcome.status === 'unassignable') {
      throw new ConflictError(
        `Case ${caseId} cannot be completed with ${named.reviewerId}: ${outcome.reason}`,
      );
    }
    const change = routingItems(context, seen, outcome, actor, at, sitting.findingsDeadline);
    if (!(await writeOrRefuse(change.items))) continue;
    await announce(context, caseId, outcome, change.assignments, at);
    return { caseId, sittingId: sitting.sittingId, picks: outcome.picks };
  }
  throw new TransientError(`Case ${caseId}: its reviewers kept changing; try again`);
}

/**
 * The chair moves an open assignment to the question set current now, with a reason (the reviewer
 * has not submitted yet); the case's history keeps from which version to which, by whom and why.
 * An assignment on the current version already is answered as it is.
 */
export async function moveToCurrentQuestionSet(
  principal: Principal,
  assignmentId: string,
  why: string,
  actor: Actor,
  now = new Date(),
): Promise<Assignment> {
  const assignment = await getAssignment(assignmentId);
  if (!assignment) throw new NotFoundError(`No assignment ${assignmentId}`);
  await sittingFor(principal, assignment.sittingId);
  const { version } = await currentQuestionSet();
  if (assignment.questionSetVersion === version) return assignment;
  if (!OPEN_ASSIGNMENT.includes(assignment.status)) {
    throw new ConflictError(
      `Assignment ${assignmentId} is ${assignment.status}: its findings answer version ${assignment.questionSetVersion ?? 1}`,
    );
  }
  if (!(await moveQuestionSet(assignment, version))) {
    throw new ConflictError(`Assignment ${assignmentId} changed meanwhile (a finding came in); look again`);
  }
  await recordHistory(
    assignment.caseId,
    {
      action: 'question-set-moved',
      reviewerId: assignment.reviewerId,
      from: String(assignment.questionSetVersion ?? 1),
      to: String(version),
      by: actor.subject,
      why,
      requestId: actor.requestId,
    },
    now.toISOString(),
  );
  if (assignment.reviewerSubject) {
    await notify(
      assignment.reviewerSubject,
      'question-set-changed',
      { caseId: assignment.caseId, sittingId: assignment.sittingId },
      now.toISOString(),
    );
  }
  return { ...assignment, questionSetVersion: version };
}

interface TakeOff {
  readonly status: AssignmentEnding;
  readonly why: string;
  readonly conflict?: string;
  /** The findings deadline passed: recorded on the assignment and in the history with the rest. */
  readonly overdue?: boolean;
}

/**
 * Takes a reviewer off a case (declined, moved by the chair, or overdue) and, while the case is in
 * review in that sitting, routes it again under the same rules, never back to them: the assignment
 * ends, its place in their capacity is freed, the case loses them and gains the new picks, and
 * the history records who, when, why, and from whom to whom, in one transaction. A case that has
 * left the sitting (carried over, decided) only loses the assignment.
 */
async function removeAndReroute(
  assignmentId: string,
  change: TakeOff,
  actor: Actor,
  now: Date,
  dueDate?: string,
): Promise<RoutingOutcome | Skipped> {
  const at = now.toISOString();
  for (let attempt = 1; attempt <= PLANNING_ATTEMPTS; attempt++) {
    const assignment = await getAssignment(assignmentId);
    if (!assignment || !OPEN_ASSIGNMENT.includes(assignment.status)) {
      throw new ConflictError(`Assignment ${assignmentId} is no longer assigned`);
    }
    const { caseId, sittingId, reviewerId } = assignment;
    const [context, seen] = await Promise.all([routingContext(sittingId), caseReviewers(caseId)]);
    const by = { by: actor.subject, why: change.why, requestId: actor.requestId };
    const leaving: Leaving = {
      reviewerId,
      items: [
        endAssignment(assignmentId, change.status, {
          declinedAt: at,
          ...(change.conflict ? { conflictDeclared: change.conflict } : {}),
          ...(change.overdue ? { overdueAt: at } : {}),
        }),
        freeCapacity(sittingId, reviewerId, caseId),
        ...(change.overdue
          ? [
              historyEvent(
                caseId,
                { action: 'overdue', reviewerId, ...by, why: 'findings deadline passed' },
                at,
              ),
            ]
          : []),
        historyEvent(caseId, { action: change.status, reviewerId, ...by }, at),
      ],
    };
    if (seen.sittingId !== sittingId || !REROUTABLE.includes(seen.status)) {
      const stillHere = seen.sittingId === sittingId;
      const items = stillHere
        ? [
            ...leaving.items,
            changeCaseReviewers(seen, {
              assigned: seen.assigned.filter((id) => id !== reviewerId),
              declined: [...new Set([...seen.declined, reviewerId])],
            }),
          ]
        : leaving.items;
      if (!(await writeOrRefuse(items))) continue;
      await notifyOverdue(context, assignment, change, at);
      return { caseId, status: 'skipped', reason: 'the case is no longer in review in this sitting' };
    }
    const remaining = { ...seen, assigned: seen.assigned.filter((id) => id !== reviewerId) };
    const outcome = await plan(context, { ...remaining, declined: [...seen.declined, reviewerId] });
    const reroute = routingItems(
      context,
      seen,
      outcome,
      actor,
      at,
      dueDate ?? context.sitting.findingsDeadline,
      leaving,
    );
    if (!(await writeOrRefuse(reroute.items))) continue;
    await notifyOverdue(context, assignment, change, at);
    await notify(chairsOf(context.panel.panelId), 'reassigned', { caseId, sittingId, reviewerId }, at);
    await announce(context, caseId, outcome, reroute.assignments, at);
    return outcome;
  }
  throw new TransientError(`Assignment ${assignmentId}: the case kept changing; try again`);
}

/** An overdue reviewer is reminded and the chair of the panel told. */
async function notifyOverdue(context: RoutingContext, assignment: Assignment, change: TakeOff, at: string) {
  if (!change.overdue) return;
  const about = { caseId: assignment.caseId, sittingId: assignment.sittingId, dueDate: assignment.dueDate };
  if (assignment.reviewerSubject) await notify(assignment.reviewerSubject, 'overdue', about, at);
  await notify(
    chairsOf(context.panel.panelId),
    'assignment-overdue',
    { ...about, reviewerId: assignment.reviewerId },
    at,
  );
}

/** A reviewer declines a case with a conflict declaration; the case is routed to someone else. */
export async function declineAssignment(
  principal: Principal,
  assignmentId: string,
  conflict: string,
  requestId: string,
  now = new Date(),
) {
  const assignment = await getAssignment(assignmentId);
  if (!assignment || assignment.reviewerSubject !== principal.subject)
    throw new NotFoundError(`No assignment ${assignmentId}`);
  if (assignment.status !== 'assigned')
    throw new ConflictError(`Assignment ${assignmentId} is ${assignment.status}`);
  const rerouted = await removeAndReroute(
    assignmentId,
    { status: 'declined', why: 'conflict declared', conflict },
    { subject: principal.subject, requestId },
    now,
  );
  return { assignment: { ...assignment, status: 'declined' as const }, rerouted };
}

/** The chair moves every case of one reviewer in a sitting to others (e.g. the reviewer has left). */
export async function reassignReviewer(
  sittingId: string,
  fromReviewerId: string,
  why: string,
  actor: Actor,
  now = new Date(),
) {
  const assigned = (await listAssignmentsOf(fromReviewerId)).filter(
    (assignment) => assignment.sittingId === sittingId && assignment.status === 'assigned',
  );
  const moved = [];
  for (const assignment of assigned) {
    const outcome = await removeAndReroute(
      assignment.assignmentId,
      { status: 'reassigned', why },
      actor,
      now,
    );
    moved.push(
      outcome.status === 'routed'
        ? { caseId: assignment.caseId, to: outcome.picks.map((pick) => pick.reviewerId) }
        : { caseId: assignment.caseId, to: [], problem: outcome.reason },
    );
  }
  return { sittingId, fromReviewerId, moved };
}

/** How long a reviewer who takes over an overdue case has to report. */
export const REASSIGNED_GRACE_DAYS = 7;

/**
 * The sweep's chase: every assignment still open past its findings deadline ends as overdue, its
 * reviewer is reminded and the chair of its panel told, and the case goes to another reviewer under
 * the same rules with REASSIGNED_GRACE_DAYS to report. Running it again does nothing more.
 */
export async function chaseOverdueAssignments(asOf: string, requestId: string) {
  const today = asOf.slice(0, 10);
  const newDueDate = new Date(new Date(asOf).getTime() + REASSIGNED_GRACE_DAYS * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const overdue: string[] = [];
  for (const reviewer of await listReviewers()) {
    for (const assignment of await listAssignmentsOf(reviewer.reviewerId)) {
      if (assignment.status !== 'assigned' || assignment.dueDate >= today) continue;
      try {
        await removeAndReroute(
          assignment.assignmentId,
          { status: 'reassigned', why: 'findings deadline passed', overdue: true },
          { subject: 'system:sweep', requestId },
          new Date(asOf),
          newDueDate,
        );
      } catch (error) {
        // Submitted or taken off meanwhile: nothing left to chase.
        if (error instanceof ConflictError) continue;
        throw error;
      }
      overdue.push(assignment.assignmentId);
    }
  }
  return { overdue };
}
