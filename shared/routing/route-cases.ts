/**
 * Routing: which panel reviewers may review a case, and which of them are picked.
 *
 * Exclusion rules. A reviewer is eligible for a case only if none applies; every rule that applies is
 * recorded (a reviewer can be excluded on several grounds, and the record should show all of them):
 * - `inactive`: the reviewer is not active on the panel.
 * - `already-assigned`: the reviewer is on this case already; a case never has the same reviewer twice.
 * - `declined-this-case`: the reviewer declined this case (a conflict declared) or was removed from it;
 *   offering it to them again would only repeat that.
 * - `same-unit`: the reviewer belongs to the unit that made the decision, when both units are known,
 *   or, for a CPS decision, to the police unit that investigated the same crime.
 *   Units are compared ignoring case and spacing ("PPU North" is "ppu  north"), because a unit typed
 *   two ways is still one unit, and wrongly excluding costs far less than wrongly including.
 * - `involved-in-decision`: the reviewer is the decision-maker or the officer in the case (their
 *   pseudonymous person id equals either), or, for a CPS decision, one of the police decision's.
 * - A standing conflict naming the police unit or people of the same crime counts as one with the
 *   CPS decision's own. Unit conflicts are stored `unit:<name>` (bare names from before, too).
 * - `declared-conflict`: a standing conflict the reviewer declared names the decision-maker, the
 *   officer in the case, the deciding unit (compared as above) or the decision itself.
 * - `at-capacity`: the reviewer's load in this sitting has reached their capacity (load ≥ capacity).
 *
 * Picking, among the eligible:
 * - Balanced workload: the lowest load first. Equal loads are ordered by a tie-break rank,
 *   HMAC-SHA256 keyed with the seed over the case id and reviewer id, so the same inputs always give
 *   the same picks (anyone holding the seed can re-derive them), yet a tie on one case does not go to
 *   the same person as a tie on the next. The reviewer id settles the (cryptographically unlikely)
 *   case of equal ranks, so the order is total.
 * - Independence: at least one reviewer on the case must be independent of the deciding body (for a
 *   police decision, any agency but the police; for a CPS decision, any but the CPS). Reviewers
 *   already on the case count. If none of them is independent, the first pick is the best-placed
 *   independent eligible reviewer; the rest are filled with the best-placed eligible, whoever they are.
 *   An audit review round does without it (`independenceRequired: false`): the force's auditors
 *   review its own decisions by design, under every other rule.
 * - All or nothing: if the case cannot be given every reviewer it needs, independence included, it is
 *   `unassignable` with the reason and nobody is picked, so a case is never left half-assigned.
 *
 * Every pick carries its reason and every exclusion its rule and a detail, in words that name units
 * and loads but nothing of the case itself, so they can be stored and shown beside the assignment.
 *
 * A named pick: the chair may choose one reviewer for a case (`routeWithNamed`). The same rules
 * hold for them: a named reviewer any rule excludes is refused with every rule that applies; the
 * rest of the case's places are then picked as above, counting the named reviewer, and if the case
 * cannot be completed (independence included) nobody is picked.
 */
import { createHmac } from 'node:crypto';

/** Names this scheme (rules, ordering, tie-break) wherever routing is recorded; bump it if any changes. */
export const ROUTING_ALGORITHM = 'lowest-load-hmac-sha256-tiebreak/1';

export type ExclusionRule =
  | 'inactive'
  | 'same-unit'
  | 'involved-in-decision'
  | 'declared-conflict'
  | 'at-capacity'
  | 'declined-this-case'
  | 'already-assigned';

export interface RoutingReviewer {
  readonly reviewerId: string;
  readonly agency: 'police' | 'cps' | 'isva' | 'independent' | 'academic' | 'health' | 'local_authority';
  readonly unit?: string;
  /** The reviewer's own pseudonymous person id, if they are police or CPS staff (psn_…). */
  readonly personId?: string;
  /** Cases per sitting. */
  readonly capacity: number;
  /** Cases already assigned in this sitting. */
  readonly load: number;
  /** Person ids (psn_…), units, or decision ids this reviewer must never review. */
  readonly standingConflicts: readonly string[];
  readonly active: boolean;
}

export interface RoutingCase {
  readonly caseId: string;
  readonly decisionId: string;
  readonly decidingBody: 'police' | 'cps';
  readonly unit?: string;
  readonly decisionMakerId?: string;
  readonly officerInCaseId?: string;
  /**
   * For a CPS decision, the police decisions on the same crime: the unit that investigated it and
   * its people are as close to the case as the CPS lawyer's own unit.
   */
  readonly investigation?: readonly { unit?: string; decisionMakerId?: string; officerInCaseId?: string }[];
  /** How many reviewers the case should have in all, those already assigned included. */
  readonly reviewersNeeded: number;
  /** Reviewers who declined THIS case (conflict declared) or were removed from it. */
  readonly declinedBy?: readonly string[];
  /** Reviewers currently assigned: a reassignment fills the gap beside them. */
  readonly alreadyAssigned?: readonly string[];
  /** False for an audit review round, whose auditors are the force's own; true unless said. */
  readonly independenceRequired?: boolean;
}

export interface Pick {
  readonly reviewerId: string;
  readonly reason: string;
}
/** The same as Pick, for modules that also use TypeScript's own Pick<T, K>. */
export type RoutingPick = Pick;

export interface Exclusion {
  readonly reviewerId: string;
  readonly rule: ExclusionRule;
  readonly detail: string;
}

export type RoutingOutcome =
  | {
      readonly caseId: string;
      readonly status: 'routed';
      readonly picks: Pick[];
      readonly exclusions: Exclusion[];
    }
  | {
      readonly caseId: string;
      readonly status: 'unassignable';
      readonly reason: string;
      readonly exclusions: Exclusion[];
    };

/**
 * A reviewer's tie-break rank on a case: lowercase hex HMAC-SHA256 keyed with the seed's UTF-8 bytes
 * over `caseId U+001F reviewerId`. No id contains the separator, so no two pairs share a message.
 */
export function tieBreakRank(seed: string, caseId: string, reviewerId: string): string {
  return createHmac('sha256', Buffer.from(seed, 'utf8'))
    .update(`${caseId}\u001f${reviewerId}`, 'utf8')
    .digest('hex');
}

/**
 * The smallest possible difference between the most and least loaded of `reviewers` equally placed
 * reviewers sharing `totalAssignments`: 0 when they divide evenly, otherwise 1.
 */
export function bestPossibleSpread(totalAssignments: number, reviewers: number): number {
  if (!(Number.isSafeInteger(totalAssignments) && totalAssignments >= 0)) {
    throw new RangeError(`totalAssignments must be a whole number of at least 0, got ${totalAssignments}`);
  }
  if (!(Number.isSafeInteger(reviewers) && reviewers >= 1)) {
    throw new RangeError(`reviewers must be a whole number of at least 1, got ${reviewers}`);
  }
  return totalAssignments % reviewers === 0 ? 0 : 1;
}

const BODY_NAMES = { police: 'the police', cps: 'the CPS' } as const;

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function normalisedUnit(unit: string | undefined): string | undefined {
  const normalised = unit?.trim().replace(/\s+/g, ' ').toLowerCase();
  return normalised === '' ? undefined : normalised;
}

/** Independent of the deciding body: any agency but the one that made the decision. */
export function isIndependentOf(
  reviewer: RoutingReviewer,
  decidingBody: RoutingCase['decidingBody'],
): boolean {
  return reviewer.agency !== decidingBody;
}

/** The conflicts a reviewer's standing declarations raise with this case, in words. */
function declaredConflicts(reviewer: RoutingReviewer, reviewCase: RoutingCase): string[] {
  const named = (id: string | undefined) =>
    id !== undefined && id !== '' && reviewer.standingConflicts.includes(id);
  const conflicts: string[] = [];
  if (named(reviewCase.decisionMakerId)) conflicts.push('the decision-maker');
  if (named(reviewCase.officerInCaseId)) conflicts.push('the officer in the case');
  const conflictUnits = new Set(
    reviewer.standingConflicts.map((entry) => normalisedUnit(entry.replace(/^unit:/, ''))),
  );
  for (const unit of [reviewCase.unit, ...(reviewCase.investigation ?? []).map((police) => police.unit)]) {
    const normalised = normalisedUnit(unit);
    if (normalised !== undefined && conflictUnits.has(normalised)) conflicts.push(`unit ${unit?.trim()}`);
  }
  for (const police of reviewCase.investigation ?? []) {
    if (named(police.decisionMakerId)) conflicts.push('the police decision-maker on the crime');
    if (named(police.officerInCaseId)) conflicts.push('the officer who investigated the crime');
  }
  if (named(reviewCase.decisionId)) conflicts.push('this decision');
  return conflicts;
}

/** Every rule that keeps this reviewer off this case; none means eligible. */
function exclusionsOf(
  reviewer: RoutingReviewer,
  reviewCase: RoutingCase,
  declined: ReadonlySet<string>,
  assigned: ReadonlySet<string>,
): Exclusion[] {
  const found: Exclusion[] = [];
  const exclude = (rule: ExclusionRule, detail: string) =>
    found.push({ reviewerId: reviewer.reviewerId, rule, detail });

  if (!reviewer.active) exclude('inactive', 'reviewer is not active on the panel');
  if (assigned.has(reviewer.reviewerId)) exclude('already-assigned', 'already assigned to this case');
  if (declined.has(reviewer.reviewerId)) {
    exclude('declined-this-case', 'declined this case or was removed from it');
  }
  const caseUnit = normalisedUnit(reviewCase.unit);
  if (caseUnit !== undefined && normalisedUnit(reviewer.unit) === caseUnit) {
    exclude('same-unit', `unit ${reviewCase.unit?.trim()} decided this case`);
  }
  const investigated = (reviewCase.investigation ?? []).find(
    (police) =>
      normalisedUnit(police.unit) !== undefined &&
      normalisedUnit(police.unit) === normalisedUnit(reviewer.unit),
  );
  if (investigated)
    exclude('same-unit', `unit ${investigated.unit?.trim()} investigated the crime for the police`);
  const personId = reviewer.personId;
  if (personId !== undefined && personId !== '') {
    const roles: string[] = [];
    if (personId === reviewCase.decisionMakerId) roles.push('the decision-maker');
    if (personId === reviewCase.officerInCaseId) roles.push('the officer in the case');
    for (const police of reviewCase.investigation ?? []) {
      if (personId === police.decisionMakerId) roles.push('the police decision-maker on the crime');
      if (personId === police.officerInCaseId) roles.push('the officer who investigated the crime');
    }
    if (roles.length > 0) exclude('involved-in-decision', `reviewer is ${listInWords(roles)}`);
  }
  const conflicts = declaredConflicts(reviewer, reviewCase);
  if (conflicts.length > 0) {
    exclude('declared-conflict', `declared a standing conflict with ${listInWords(conflicts)}`);
  }
  if (reviewer.load >= reviewer.capacity) {
    exclude('at-capacity', `load ${reviewer.load} of ${reviewer.capacity} in this sitting`);
  }
  return found;
}

interface Candidate {
  readonly reviewer: RoutingReviewer;
  readonly rank: string;
}

function byLoadThenRank(a: Candidate, b: Candidate): number {
  if (a.reviewer.load !== b.reviewer.load) return a.reviewer.load - b.reviewer.load;
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  const aId = a.reviewer.reviewerId;
  const bId = b.reviewer.reviewerId;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

/**
 * Why the first of `pool` (already in order) was picked: its load against capacity, what it was the
 * lowest among, and whether the seeded tie-break decided it.
 */
function pickReason(pool: readonly Candidate[], poolDescription: string, independentOf?: string): string {
  const [chosen] = pool;
  if (chosen === undefined) throw new Error('a pick needs a candidate');
  const { load, capacity } = chosen.reviewer;
  const tied = pool.filter((candidate) => candidate.reviewer.load === load).length - 1;
  const parts = [
    ...(independentOf === undefined ? [] : [`independent of ${independentOf}`]),
    `load ${load} of ${capacity}, lowest among ${poolDescription}`,
    ...(tied > 0 ? [`tied with ${plural(tied, 'other')} at that load, chosen by the seeded tie-break`] : []),
  ];
  return parts.join('; ');
}

function distinct(ids: readonly string[] | undefined): Set<string> {
  return new Set(ids ?? []);
}

function requireUniqueReviewers(reviewers: readonly RoutingReviewer[]): Map<string, RoutingReviewer> {
  const byId = new Map<string, RoutingReviewer>();
  for (const reviewer of reviewers) {
    if (byId.has(reviewer.reviewerId)) {
      throw new RangeError(`reviewer ${reviewer.reviewerId} is listed more than once`);
    }
    byId.set(reviewer.reviewerId, reviewer);
  }
  return byId;
}

/** Routes one case: who may review it, and who is picked, with the reason for each. */
export function routeCase(
  reviewCase: RoutingCase,
  reviewers: readonly RoutingReviewer[],
  seed: string,
): RoutingOutcome {
  const { caseId, decidingBody, reviewersNeeded } = reviewCase;
  if (!(Number.isSafeInteger(reviewersNeeded) && reviewersNeeded >= 1)) {
    throw new RangeError(`reviewersNeeded must be a whole number of at least 1, got ${reviewersNeeded}`);
  }
  const reviewerById = requireUniqueReviewers(reviewers);
  const declined = distinct(reviewCase.declinedBy);
  const assigned = distinct(reviewCase.alreadyAssigned);

  const exclusions: Exclusion[] = [];
  const eligible: Candidate[] = [];
  for (const reviewer of reviewers) {
    const excluded = exclusionsOf(reviewer, reviewCase, declined, assigned);
    if (excluded.length > 0) exclusions.push(...excluded);
    else eligible.push({ reviewer, rank: tieBreakRank(seed, caseId, reviewer.reviewerId) });
  }
  eligible.sort(byLoadThenRank);

  const body = BODY_NAMES[decidingBody];
  const unassignable = (reason: string): RoutingOutcome => ({
    caseId,
    status: 'unassignable',
    reason,
    exclusions,
  });

  // An assigned reviewer no longer on the panel list cannot be shown to be independent, so does not count.
  const independenceMet =
    reviewCase.independenceRequired === false ||
    [...assigned].some((reviewerId) => {
      const reviewer = reviewerById.get(reviewerId);
      return reviewer !== undefined && isIndependentOf(reviewer, decidingBody);
    });
  const gap = reviewersNeeded - assigned.size;
  if (gap <= 0) {
    // Nothing to add; but a case whose reviewers are all from the deciding body breaks the rules, and
    // adding nobody would hide that.
    if (independenceMet) return { caseId, status: 'routed', picks: [], exclusions };
    return unassignable(
      `${plural(assigned.size, 'reviewer')} already assigned and none is independent of ${body}`,
    );
  }
  if (eligible.length < gap) {
    const needed =
      assigned.size === 0
        ? `${plural(gap, 'reviewer')} needed`
        : `${plural(gap, 'more reviewer')} needed (${assigned.size} of ${reviewersNeeded} already assigned)`;
    return unassignable(`${needed}, ${eligible.length} eligible`);
  }
  const independent = eligible.filter((candidate) => isIndependentOf(candidate.reviewer, decidingBody));
  if (!independenceMet && independent.length === 0) {
    return unassignable(`no eligible reviewer is independent of ${body}`);
  }

  const picks: Pick[] = [];
  let remaining = eligible;
  if (!independenceMet) {
    const everyoneIndependent = independent.length === eligible.length;
    const pool = everyoneIndependent
      ? `${eligible.length} eligible`
      : `the ${independent.length} eligible independent of ${body}`;
    const [chosen] = independent;
    if (chosen === undefined) throw new Error('an independent reviewer was found above');
    picks.push({ reviewerId: chosen.reviewer.reviewerId, reason: pickReason(independent, pool, body) });
    remaining = eligible.filter((candidate) => candidate !== chosen);
  }
  while (picks.length < gap) {
    const pool =
      picks.length === 0 ? `${eligible.length} eligible` : `the ${remaining.length} eligible not yet picked`;
    const [chosen] = remaining;
    if (chosen === undefined) throw new Error('enough eligible reviewers were counted above');
    picks.push({ reviewerId: chosen.reviewer.reviewerId, reason: pickReason(remaining, pool) });
    remaining = remaining.slice(1);
  }
  return { caseId, status: 'routed', picks, exclusions };
}

/** Who the chair names for a case, and why; kept as the pick's reason. */
export interface NamedPick {
  readonly reviewerId: string;
  readonly reason: string;
}

/** A named reviewer who cannot take the case: every rule that keeps them off it. */
export interface NamedRefusal {
  readonly caseId: string;
  readonly status: 'refused';
  readonly reviewerId: string;
  readonly rules: readonly { rule: ExclusionRule | 'not-a-member' | 'case-complete'; detail: string }[];
}

/** Routes one case with a reviewer the chair names first (see the module comment). */
export function routeWithNamed(
  reviewCase: RoutingCase,
  reviewers: readonly RoutingReviewer[],
  seed: string,
  named: NamedPick,
): RoutingOutcome | NamedRefusal {
  const refuse = (rules: NamedRefusal['rules']): NamedRefusal => ({
    caseId: reviewCase.caseId,
    status: 'refused',
    reviewerId: named.reviewerId,
    rules,
  });
  const reviewer = reviewers.find((candidate) => candidate.reviewerId === named.reviewerId);
  if (!reviewer)
    return refuse([{ rule: 'not-a-member', detail: 'not a member of the panel of this sitting' }]);
  const assigned = distinct(reviewCase.alreadyAssigned);
  const excluded = exclusionsOf(reviewer, reviewCase, distinct(reviewCase.declinedBy), assigned);
  // A case that has its reviewers takes nobody new, whoever is named (one already on it is told so).
  if (assigned.size >= reviewCase.reviewersNeeded && !assigned.has(reviewer.reviewerId)) {
    return refuse([
      {
        rule: 'case-complete',
        detail: `the case has its ${plural(reviewCase.reviewersNeeded, 'reviewer')}: move one first`,
      },
    ]);
  }
  if (excluded.length > 0) return refuse(excluded.map(({ rule, detail }) => ({ rule, detail })));
  const withNamed = reviewers.map((candidate) =>
    candidate === reviewer ? { ...candidate, load: candidate.load + 1 } : candidate,
  );
  const rest = routeCase(
    { ...reviewCase, alreadyAssigned: [...assigned, reviewer.reviewerId] },
    withNamed,
    seed,
  );
  if (rest.status === 'unassignable') return rest;
  const pick = { reviewerId: reviewer.reviewerId, reason: `named by the chair: ${named.reason}` };
  const exclusions = rest.exclusions.filter(
    (exclusion) => !(exclusion.reviewerId === reviewer.reviewerId && exclusion.rule === 'already-assigned'),
  );
  return { ...rest, picks: [pick, ...rest.picks], exclusions };
}

/**
 * Routes cases in order, each seeing the loads the earlier ones added: the plan for a batch. A case
 * listed twice would be routed without seeing its own earlier picks, so that is refused. `loads` gives
 * every reviewer's load once the batch's picks are applied.
 */
export function routeCases(
  cases: readonly RoutingCase[],
  reviewers: readonly RoutingReviewer[],
  seed: string,
): { outcomes: RoutingOutcome[]; loads: Record<string, number> } {
  requireUniqueReviewers(reviewers);
  const seen = new Set<string>();
  for (const { caseId } of cases) {
    if (seen.has(caseId)) throw new RangeError(`case ${caseId} is listed more than once in the batch`);
    seen.add(caseId);
  }

  // A reviewer whose load changes is replaced, never mutated, so the caller's objects keep their loads.
  const current: RoutingReviewer[] = [...reviewers];
  const indexById = new Map(current.map((reviewer, index) => [reviewer.reviewerId, index]));
  const outcomes: RoutingOutcome[] = [];
  for (const reviewCase of cases) {
    const outcome = routeCase(reviewCase, current, seed);
    outcomes.push(outcome);
    if (outcome.status !== 'routed') continue;
    for (const { reviewerId } of outcome.picks) {
      const index = indexById.get(reviewerId);
      const reviewer = index === undefined ? undefined : current[index];
      if (index === undefined || reviewer === undefined) throw new Error(`picked unknown ${reviewerId}`);
      current[index] = { ...reviewer, load: reviewer.load + 1 };
    }
  }
  return {
    outcomes,
    loads: Object.fromEntries(current.map((reviewer) => [reviewer.reviewerId, reviewer.load])),
  };
}
