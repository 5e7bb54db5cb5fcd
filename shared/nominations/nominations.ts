import type { z } from 'zod';
import { type CaseOpened, getCase, listCases, openOrJoinCase } from '../cases/case-store.ts';
import type { CaseStatus, ReviewCase } from '../cases/review-case.ts';
import { TransactionRefused } from '../data/transactions.ts';
import type { Decision } from '../decisions/decision.ts';
import { decisionsOfCrime, decisionsOfCrimeReference, getDecision } from '../decisions/decision-store.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { pseudonym, pseudonymKey } from '../imports/pseudonymise.ts';
import { ALL_CHAIRS, notify } from '../notifications/notifications.ts';
import { listRecommendations } from '../recommendations/recommendations.ts';
import {
  NOMINATION_CONTENT,
  NOMINATION_WINDOW_MONTHS,
  type NominateRequest,
  type Nomination,
  type NominationCandidateSchema,
  type NominationOutcomeSchema,
  type NominationView,
} from './nomination.ts';
import {
  getNomination,
  nominationHistory,
  nominationsBy,
  recordedBefore,
  recordingNomination,
} from './nomination-store.ts';

export { nominationsOfCase } from './nomination-store.ts';

const NOMINATING_ROLES = ['isva', 'cps', 'police'] as const;
const ELIGIBLE_TYPES = ['police_nfa', 'cps_nfa', 'filed'];
const CONCLUDED: readonly CaseStatus[] = ['CONCLUDED', 'CLOSED'];

const refused = (field: string, reason: string) =>
  new ValidationError(`Not eligible for the panel: ${reason}`, [{ field, reason }]);
const alreadyConcluded = (field: string) =>
  refused(field, 'the panel has already concluded its review of this decision');

async function findDecision(request: NominateRequest): Promise<Decision> {
  if (request.decisionId) {
    try {
      return await getDecision(request.decisionId);
    } catch (error) {
      if (error instanceof NotFoundError)
        throw refused('decisionId', 'no decision with this id has been imported');
      throw error;
    }
  }
  const crimeReference = pseudonym(await pseudonymKey(), 'crime', String(request.crimeReference));
  const decisions = await decisionsOfCrime(crimeReference);
  const candidates = decisions.filter((decision) => ELIGIBLE_TYPES.includes(decision.decisionType));
  if (decisions.length === 0)
    throw refused('crimeReference', 'no imported decision has this crime reference');
  if (candidates.length === 0) {
    throw refused('crimeReference', 'no decision on this crime is an NFA or filing decision');
  }
  if (candidates.length > 1) {
    const ids = candidates.map((decision) => decision.decisionId).join(', ');
    throw refused(
      'crimeReference',
      `this crime has ${candidates.length} NFA or filing decisions; name one: ${ids}`,
    );
  }
  return candidates[0] as Decision;
}

/** The rules a decision must meet; the first that fails is named. */
async function checkEligible(decision: Decision, field: string, now: Date): Promise<void> {
  if (!ELIGIBLE_TYPES.includes(decision.decisionType)) {
    const outcome = decision.outcomeCode ?? decision.outcomeCategory ?? 'unknown';
    throw refused(field, `outcome ${outcome} is not a finalised NFA or filing decision`);
  }
  const windowStart = new Date(now);
  windowStart.setUTCMonth(windowStart.getUTCMonth() - NOMINATION_WINDOW_MONTHS);
  if (decision.decisionDate < windowStart.toISOString().slice(0, 10)) {
    throw refused(
      field,
      `decided on ${decision.decisionDate}, outside the panel's window of ${NOMINATION_WINDOW_MONTHS} months`,
    );
  }
  const concluded = (await listCases()).some(
    (reviewCase) => reviewCase.decisionId === decision.decisionId && CONCLUDED.includes(reviewCase.status),
  );
  if (concluded) throw alreadyConcluded(field);
}

/** The nominated case of a decision; one following a withdrawn case takes an id of its own. */
const nominatedCaseId = (decisionId: string, follows?: ReviewCase) =>
  follows
    ? deterministicId('case', 'nomination', decisionId, follows.caseId)
    : deterministicId('case', 'nomination', decisionId);

/**
 * Records the nomination and puts its nominator on the decision's case, in one transaction: the
 * case under review if there is one (a sampled or nominated case), a new nominated case if not. A
 * nominator who resends the same nomination gets the one recorded back, and nothing is written; a
 * different one for the same decision is refused (409) naming the fields that differ.
 */
export async function nominate(
  request: NominateRequest,
  principal: Principal,
  now = new Date(),
): Promise<{ nomination: Nomination; created: boolean }> {
  const role = NOMINATING_ROLES.find((candidate) => principal.roles.includes(candidate));
  if (!role)
    throw new ValidationError('Only ISVAs, CPS and police nominate', [
      { field: 'role', reason: 'not a nominator' },
    ]);
  const decision = await findDecision(request);
  const field = request.decisionId ? 'decisionId' : 'crimeReference';
  await checkEligible(decision, field, now);

  const nominatedAt = now.toISOString();
  // One nomination per nominator and decision: a resend finds the one recorded first.
  const nominationId = deterministicId('nom', principal.subject, decision.decisionId);
  const nominationFor = (caseId: string): Nomination => ({
    nominationId,
    caseId,
    decisionId: decision.decisionId,
    nominatedBy: principal.subject,
    nominatorRole: role,
    reasonCodes: request.reasonCodes,
    freeText: request.freeText,
    victimConsent: request.victimConsent,
    ...(request.victimWishes ? { victimWishes: request.victimWishes } : {}),
    vrrStatus: request.vrrStatus,
    nominatedAt,
  });
  let opened: CaseOpened;
  try {
    opened = await openOrJoinCase({
      decisionId: decision.decisionId,
      open: (follows) => ({
        caseId: nominatedCaseId(decision.decisionId, follows),
        decisionId: decision.decisionId,
        origin: { kind: 'nomination' },
        nominators: [principal.subject],
        status: 'OPEN',
        openedAt: nominatedAt,
      }),
      // A concluded decision is not nominated again; a withdrawn one may be.
      mayFollow: ['WITHDRAWN'],
      nominator: principal.subject,
      alongside: (caseId) => [recordingNomination(nominationFor(caseId))],
    });
  } catch (error) {
    if (!(error instanceof TransactionRefused) || !error.has('nomination')) throw error;
    const before = recordedBefore(error) ?? (await getNomination(nominationId));
    if (!before) throw error;
    if (before.withdrawn) {
      throw new ConflictError(
        `You withdrew your nomination of this decision (${before.nominationId}) on ${before.withdrawn.at.slice(0, 10)}`,
      );
    }
    const differing = differingFields(before, nominationFor(before.caseId));
    if (differing.length > 0) {
      throw new ConflictError(
        `You nominated this decision on ${before.nominatedAt.slice(0, 10)} (${before.nominationId}); this ` +
          `request differs from that nomination in ${differing.join(', ')}, so it is not a resend of it`,
      );
    }
    return { nomination: before, created: false };
  }
  if (opened.outcome === 'ended') throw alreadyConcluded(field);
  const nomination = nominationFor(opened.reviewCase.caseId);
  await notify(
    ALL_CHAIRS,
    'nomination-received',
    { caseId: nomination.caseId, nominationId: nomination.nominationId },
    nominatedAt,
  );
  return { nomination, created: true };
}

/** The fields of what the nominator says that differ: a resend is the same request only if none does. */
export function differingFields(before: Nomination, now: Nomination): string[] {
  const normal = (value: unknown) =>
    JSON.stringify(Array.isArray(value) ? [...value].sort() : (value ?? null));
  return NOMINATION_CONTENT.filter((field) => normal(before[field]) !== normal(now[field]));
}

type NominationStatus = NominationView['status'];
type Outcome = z.infer<typeof NominationOutcomeSchema>;

function statusOf(nomination: Nomination, reviewCase: ReviewCase | undefined): NominationStatus {
  if (nomination.withdrawn) return 'withdrawn';
  switch (reviewCase?.status) {
    case 'ASSIGNED':
    case 'IN_REVIEW':
    case 'MODERATION':
      return 'in_review';
    case 'CONCLUDED':
    case 'CLOSED':
      return 'concluded';
    case 'WITHDRAWN':
      return 'withdrawn';
    default:
      return reviewCase?.sittingId ? 'on_agenda' : 'received';
  }
}

/** The recommendations a case's conclusion publishes: those the chair accepted, being tracked. */
const PUBLISHED = ['open', 'overdue', 'closed'];

/** The outcome of each concluded case, as published: its verdict and the accepted recommendations. */
async function outcomesOf(concluded: readonly ReviewCase[]): Promise<Map<string, Outcome>> {
  if (concluded.length === 0) return new Map();
  const recommendations = await listRecommendations();
  return new Map(
    concluded.map((reviewCase) => [
      reviewCase.caseId,
      {
        ...(reviewCase.verdict ? { verdict: reviewCase.verdict } : {}),
        ...(reviewCase.concludedAt ? { concludedAt: reviewCase.concludedAt } : {}),
        recommendations: recommendations
          .filter((r) => r.caseId === reviewCase.caseId && PUBLISHED.includes(r.status))
          .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.text.localeCompare(b.text))
          .map(({ text, owner, dueDate, status }) => ({ text, owner, dueDate, status })),
      },
    ]),
  );
}

const caseOf = (caseId: string) =>
  getCase(caseId).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });

/** How each nomination stands: its case's status, its sitting, and once concluded the outcome. */
async function views(nominations: readonly Nomination[]): Promise<NominationView[]> {
  const cases = await Promise.all(nominations.map((nomination) => caseOf(nomination.caseId)));
  const concluded = cases.filter(
    (reviewCase): reviewCase is ReviewCase => !!reviewCase && CONCLUDED.includes(reviewCase.status),
  );
  const outcomes = await outcomesOf([...new Map(concluded.map((c) => [c.caseId, c])).values()]);
  return nominations.map((nomination, index) => {
    const reviewCase = cases[index];
    const status = statusOf(nomination, reviewCase);
    const outcome = status === 'concluded' ? outcomes.get(nomination.caseId) : undefined;
    return {
      ...nomination,
      status,
      ...(reviewCase?.sittingId && status !== 'withdrawn' ? { sittingId: reviewCase.sittingId } : {}),
      ...(outcome ? { outcome } : {}),
    };
  });
}

/** One of the caller's own nominations; anyone else's answers as missing. */
export async function ownNomination(principal: Principal, nominationId: string): Promise<Nomination> {
  const nomination = await getNomination(nominationId);
  if (!nomination || nomination.nominatedBy !== principal.subject)
    throw new NotFoundError(`No nomination ${nominationId}`);
  return nomination;
}

/** One of the caller's own nominations, with every version of it. */
export async function getOwnNomination(principal: Principal, nominationId: string) {
  const nomination = await ownNomination(principal, nominationId);
  const [view] = await views([nomination]);
  return { nomination, view: { ...(view as NominationView), versions: await nominationHistory(nomination) } };
}

export async function listOwnNominations(principal: Principal) {
  return views(await nominationsBy(principal.subject));
}

/**
 * The NFA and filing decisions on a crime, by the reference the nominator knows, described safely
 * for them to choose the one to nominate: deciding body, month, type and outcome, and whether the
 * panel can take it (and why not). Never a summary, an officer or a decision maker.
 */
export async function nominationCandidates(
  crimeReference: string,
  now = new Date(),
): Promise<z.infer<typeof NominationCandidateSchema>[]> {
  const decisions = await decisionsOfCrimeReference(crimeReference);
  const candidates = decisions
    .filter((decision) => ELIGIBLE_TYPES.includes(decision.decisionType))
    .sort((a, b) => a.decisionDate.localeCompare(b.decisionDate) || a.decisionId.localeCompare(b.decisionId));
  const described = [];
  for (const decision of candidates) {
    const refusal = await checkEligible(decision, 'decisionId', now).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof ValidationError) return error.issues[0]?.reason ?? error.message;
        throw error;
      },
    );
    described.push({
      decisionId: decision.decisionId,
      decidingBody: decision.decidingBody,
      decisionMonth: decision.decisionDate.slice(0, 7),
      decisionType: decision.decisionType,
      outcome: decision.outcomeCode ?? decision.outcomeCategory ?? 'unknown',
      eligible: refusal === undefined,
      ...(refusal ? { reason: refusal } : {}),
    });
  }
  return described;
}
