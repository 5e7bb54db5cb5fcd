import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../local/synthetic-data.ts';
import {
  bestPossibleSpread,
  type Exclusion,
  type ExclusionRule,
  type RoutingCase,
  type RoutingOutcome,
  type RoutingReviewer,
  routeCase,
  routeCases,
  tieBreakRank,
} from '../../shared/routing/route-cases.ts';

const SEED = 'seed-2024';

function reviewer(reviewerId: string, overrides: Partial<RoutingReviewer> = {}): RoutingReviewer {
  return {
    reviewerId,
    agency: 'isva',
    capacity: 4,
    load: 0,
    standingConflicts: [],
    active: true,
    ...overrides,
  };
}

/** A CPS decision on a crime the police unit PPU South investigated. */
function cpsCase(overrides: Partial<RoutingCase> = {}): RoutingCase {
  return policeCase({
    decidingBody: 'cps',
    unit: 'CPS RASSO Unit',
    decisionMakerId: 'psn_lawyer',
    officerInCaseId: 'psn_cps_oic',
    investigation: [
      { unit: 'PPU South', decisionMakerId: 'psn_police_dm', officerInCaseId: 'psn_police_oic' },
    ],
    ...overrides,
  });
}

function policeCase(overrides: Partial<RoutingCase> = {}): RoutingCase {
  return {
    caseId: 'case_1',
    decisionId: 'dec_1',
    decidingBody: 'police',
    unit: 'PPU North',
    decisionMakerId: 'psn_dm',
    officerInCaseId: 'psn_oic',
    reviewersNeeded: 2,
    ...overrides,
  };
}

function routed(outcome: RoutingOutcome) {
  if (outcome.status !== 'routed') throw new Error(`expected routed, got: ${outcome.reason}`);
  return outcome;
}

const pickedIds = (outcome: RoutingOutcome) => routed(outcome).picks.map((pick) => pick.reviewerId);

const rulesFor = (exclusions: readonly Exclusion[], reviewerId: string) =>
  exclusions.filter((exclusion) => exclusion.reviewerId === reviewerId).map((exclusion) => exclusion.rule);

/** Two eligible bystanders, so a case can always be routed around the reviewer under test. */
const bystanders = [reviewer('rev_by1', { load: 1 }), reviewer('rev_by2', { load: 1 })];

describe('routeCase: exclusion rules', () => {
  const cases: {
    rule: ExclusionRule;
    excluded: RoutingReviewer;
    reviewCase?: RoutingCase;
    detail: string;
  }[] = [
    {
      rule: 'inactive',
      excluded: reviewer('rev_x', { active: false }),
      detail: 'reviewer is not active on the panel',
    },
    {
      rule: 'same-unit',
      excluded: reviewer('rev_x', { agency: 'police', unit: 'PPU North' }),
      detail: 'unit PPU North decided this case',
    },
    {
      rule: 'involved-in-decision',
      excluded: reviewer('rev_x', { agency: 'police', unit: 'FCID', personId: 'psn_dm' }),
      detail: 'reviewer is the decision-maker',
    },
    {
      rule: 'involved-in-decision',
      excluded: reviewer('rev_x', { agency: 'police', unit: 'FCID', personId: 'psn_oic' }),
      detail: 'reviewer is the officer in the case',
    },
    {
      rule: 'declared-conflict',
      excluded: reviewer('rev_x', { standingConflicts: ['psn_dm'] }),
      detail: 'declared a standing conflict with the decision-maker',
    },
    {
      rule: 'declared-conflict',
      excluded: reviewer('rev_x', { standingConflicts: ['psn_other', 'psn_oic'] }),
      detail: 'declared a standing conflict with the officer in the case',
    },
    {
      rule: 'declared-conflict',
      excluded: reviewer('rev_x', { standingConflicts: ['PPU North'] }),
      detail: 'declared a standing conflict with unit PPU North',
    },
    {
      rule: 'declared-conflict',
      excluded: reviewer('rev_x', { standingConflicts: ['dec_1'] }),
      detail: 'declared a standing conflict with this decision',
    },
    {
      rule: 'declared-conflict',
      excluded: reviewer('rev_x', { standingConflicts: ['unit:ppu north'] }),
      detail: 'declared a standing conflict with unit PPU North',
    },
    {
      rule: 'same-unit',
      excluded: reviewer('rev_x', { unit: 'PPU South' }),
      reviewCase: cpsCase(),
      detail: 'unit PPU South investigated the crime for the police',
    },
    {
      rule: 'involved-in-decision',
      excluded: reviewer('rev_x', { personId: 'psn_police_oic' }),
      reviewCase: cpsCase(),
      detail: 'reviewer is the officer who investigated the crime',
    },
    {
      rule: 'declared-conflict',
      excluded: reviewer('rev_x', { standingConflicts: ['unit:PPU South'] }),
      reviewCase: cpsCase(),
      detail: 'declared a standing conflict with unit PPU South',
    },
    {
      rule: 'declared-conflict',
      excluded: reviewer('rev_x', { standingConflicts: ['psn_police_dm'] }),
      reviewCase: cpsCase(),
      detail: 'declared a standing conflict with the police decision-maker on the crime',
    },
    {
      rule: 'at-capacity',
      excluded: reviewer('rev_x', { capacity: 3, load: 3 }),
      detail: 'load 3 of 3 in this sitting',
    },
    {
      rule: 'at-capacity',
      excluded: reviewer('rev_x', { capacity: 2, load: 5 }),
      detail: 'load 5 of 2 in this sitting',
    },
    {
      rule: 'at-capacity',
      excluded: reviewer('rev_x', { capacity: 0 }),
      detail: 'load 0 of 0 in this sitting',
    },
    {
      rule: 'declined-this-case',
      excluded: reviewer('rev_x'),
      reviewCase: policeCase({ declinedBy: ['rev_x'] }),
      detail: 'declined this case or was removed from it',
    },
    {
      rule: 'already-assigned',
      excluded: reviewer('rev_x'),
      reviewCase: policeCase({ alreadyAssigned: ['rev_x'], reviewersNeeded: 3 }),
      detail: 'already assigned to this case',
    },
  ];

  it.each(cases)('$rule: $detail', ({ rule, excluded, reviewCase = policeCase(), detail }) => {
    // Load aside, the reviewer under test carries less than the bystanders: only the rule keeps them off.
    const outcome = routed(routeCase(reviewCase, [...bystanders, excluded], SEED));
    expect(outcome.exclusions).toEqual([{ reviewerId: 'rev_x', rule, detail }]);
    expect(pickedIds(outcome)).not.toContain('rev_x');
    expect(pickedIds(outcome).sort()).toEqual(['rev_by1', 'rev_by2']);
  });

  it('names no person or decision id in a detail, only units and loads', () => {
    const excluded = [
      reviewer('rev_a', { agency: 'police', personId: 'psn_dm', standingConflicts: ['psn_oic', 'dec_1'] }),
      reviewer('rev_b', { agency: 'police', personId: 'psn_oic' }),
    ];
    const outcome = routed(routeCase(policeCase(), [...bystanders, ...excluded], SEED));
    const details = outcome.exclusions.map((exclusion) => exclusion.detail).join(' | ');
    expect(details).not.toMatch(/psn_|dec_|case_/);
    expect(details).toContain('declared a standing conflict with the officer in the case and this decision');
  });

  it('records every rule that applies to a reviewer, not just the first', () => {
    const excluded = reviewer('rev_x', {
      agency: 'police',
      unit: 'PPU North',
      personId: 'psn_dm',
      standingConflicts: ['psn_oic'],
      active: false,
      capacity: 1,
      load: 1,
    });
    const outcome = routeCase(policeCase({ declinedBy: ['rev_x'] }), [...bystanders, excluded], SEED);
    expect(rulesFor(outcome.exclusions, 'rev_x')).toEqual([
      'inactive',
      'declined-this-case',
      'same-unit',
      'involved-in-decision',
      'declared-conflict',
      'at-capacity',
    ]);
  });

  it('compares units ignoring case and spacing, and only when both are known', () => {
    const sameUnitTypedDifferently = reviewer('rev_x', { agency: 'police', unit: '  ppu   NORTH ' });
    const conflictTypedDifferently = reviewer('rev_y', { standingConflicts: ['ppu north'] });
    const outcome = routeCase(
      policeCase(),
      [...bystanders, sameUnitTypedDifferently, conflictTypedDifferently],
      SEED,
    );
    expect(rulesFor(outcome.exclusions, 'rev_x')).toEqual(['same-unit']);
    expect(rulesFor(outcome.exclusions, 'rev_y')).toEqual(['declared-conflict']);

    const unitUnknown = routeCase(
      policeCase({ unit: undefined }),
      [...bystanders, sameUnitTypedDifferently],
      SEED,
    );
    expect(unitUnknown.exclusions).toEqual([]);
    const reviewerUnitUnknown = reviewer('rev_x', { agency: 'police' });
    expect(routeCase(policeCase(), [...bystanders, reviewerUnitUnknown], SEED).exclusions).toEqual([]);
  });

  it('does not treat a missing decision-maker or officer as matching a reviewer without a person id', () => {
    const reviewCase = policeCase({
      decisionMakerId: undefined,
      officerInCaseId: undefined,
      unit: undefined,
    });
    const outcome = routeCase(reviewCase, [...bystanders, reviewer('rev_x', { agency: 'police' })], SEED);
    expect(outcome.exclusions).toEqual([]);
  });
});

describe('routeCase: independence of the deciding body', () => {
  it('puts a non-police reviewer on a police decision even when police reviewers carry less load', () => {
    const reviewers = [
      reviewer('rev_p1', { agency: 'police', unit: 'FCID' }),
      reviewer('rev_p2', { agency: 'police', unit: 'NPU East' }),
      reviewer('rev_p3', { agency: 'police', unit: 'NPU West', load: 1 }),
      reviewer('rev_isva', { agency: 'isva', load: 3 }),
      reviewer('rev_acad', { agency: 'academic', load: 2 }),
    ];
    const outcome = routed(routeCase(policeCase(), reviewers, SEED));
    expect(outcome.picks).toEqual([
      {
        reviewerId: 'rev_acad',
        reason:
          'independent of the police; load 2 of 4, lowest among the 2 eligible independent of the police',
      },
      expect.objectContaining({ reviewerId: expect.stringMatching(/^rev_p[12]$/) }),
    ]);
  });

  it('counts police reviewers as independent of a CPS decision, and CPS ones as not', () => {
    const reviewers = [
      reviewer('rev_c1', { agency: 'cps', unit: 'CPS RASSO' }),
      reviewer('rev_c2', { agency: 'cps', unit: 'CPS RASSO' }),
      reviewer('rev_c3', { agency: 'cps', unit: 'CPS RASSO' }),
      reviewer('rev_p1', { agency: 'police', unit: 'PPU North', load: 2 }),
    ];
    const cpsCase = policeCase({ decidingBody: 'cps', unit: 'CPS Wessex' });
    const outcome = routed(routeCase(cpsCase, reviewers, SEED));
    expect(pickedIds(outcome)[0]).toBe('rev_p1');
    expect(outcome.picks[0]?.reason).toBe(
      'independent of the CPS; load 2 of 4, lowest among the 1 eligible independent of the CPS',
    );
  });

  it('does without independence for an audit review round, under every other rule', () => {
    const auditors = [
      reviewer('rev_a1', { agency: 'police', unit: 'Force Audit and Inspection', load: 1 }),
      reviewer('rev_a2', { agency: 'police', unit: 'Force Audit and Inspection' }),
      reviewer('rev_a3', { agency: 'police', unit: 'PPU North' }),
    ];
    const audited = policeCase({ unit: 'PPU North', independenceRequired: false });
    const outcome = routed(routeCase(audited, auditors, SEED));
    expect(pickedIds(outcome).sort()).toEqual(['rev_a1', 'rev_a2']);
    expect(outcome.picks.map((pick) => pick.reason).join()).not.toContain('independent');
    expect(outcome.exclusions).toEqual([
      expect.objectContaining({ reviewerId: 'rev_a3', rule: 'same-unit' }),
    ]);
    // The same team for a panel sitting: nobody is independent of the police.
    expect(routeCase({ ...audited, independenceRequired: true }, auditors, SEED).status).toBe('unassignable');
  });

  it('is unassignable, picking nobody, when no eligible reviewer is independent', () => {
    const reviewers = [
      reviewer('rev_c1', { agency: 'cps' }),
      reviewer('rev_c2', { agency: 'cps' }),
      reviewer('rev_isva', { agency: 'isva', active: false }),
    ];
    const outcome = routeCase(policeCase({ decidingBody: 'cps' }), reviewers, SEED);
    expect(outcome).toEqual({
      caseId: 'case_1',
      status: 'unassignable',
      reason: 'no eligible reviewer is independent of the CPS',
      exclusions: [
        { reviewerId: 'rev_isva', rule: 'inactive', detail: 'reviewer is not active on the panel' },
      ],
    });
    expect(outcome).not.toHaveProperty('picks');
  });

  it('does not add a second independent reviewer when the first pick already is one', () => {
    const reviewers = [
      reviewer('rev_isva', { load: 0 }),
      reviewer('rev_health', { agency: 'health', load: 3 }),
      reviewer('rev_p1', { agency: 'police', unit: 'FCID', load: 1 }),
    ];
    const outcome = routed(routeCase(policeCase(), reviewers, SEED));
    expect(outcome.picks).toEqual([
      {
        reviewerId: 'rev_isva',
        reason:
          'independent of the police; load 0 of 4, lowest among the 2 eligible independent of the police',
      },
      { reviewerId: 'rev_p1', reason: 'load 1 of 4, lowest among the 2 eligible not yet picked' },
    ]);
  });
});

describe('routeCase: load balancing and reasons', () => {
  it('picks the lowest loads and says so', () => {
    const reviewers = [
      reviewer('rev_a', { load: 3, capacity: 5 }),
      reviewer('rev_b', { load: 1, capacity: 4 }),
      reviewer('rev_c', { load: 2, capacity: 3 }),
      reviewer('rev_d', { load: 0, capacity: 3 }),
    ];
    const outcome = routed(routeCase(policeCase(), reviewers, SEED));
    expect(outcome.picks).toEqual([
      { reviewerId: 'rev_d', reason: 'independent of the police; load 0 of 3, lowest among 4 eligible' },
      { reviewerId: 'rev_b', reason: 'load 1 of 4, lowest among the 3 eligible not yet picked' },
    ]);
  });

  it('says when the seeded tie-break decided a pick', () => {
    const reviewers = ['rev_a', 'rev_b', 'rev_c'].map((id) =>
      reviewer(id, { agency: 'police', unit: 'FCID' }),
    );
    const withIndependent = [...reviewers, reviewer('rev_isva', { load: 2 })];
    const outcome = routed(routeCase(policeCase({ reviewersNeeded: 3 }), withIndependent, SEED));
    expect(outcome.picks.map((pick) => pick.reason)).toEqual([
      'independent of the police; load 2 of 4, lowest among the 1 eligible independent of the police',
      'load 0 of 4, lowest among the 3 eligible not yet picked; ' +
        'tied with 2 others at that load, chosen by the seeded tie-break',
      'load 0 of 4, lowest among the 2 eligible not yet picked; ' +
        'tied with 1 other at that load, chosen by the seeded tie-break',
    ]);
  });

  it('breaks ties by HMAC-SHA256 keyed with the seed over the case and reviewer ids (known answers)', () => {
    // printf 'case_1\x1frev_a' | openssl dgst -sha256 -hmac seed-2024
    expect(tieBreakRank(SEED, 'case_1', 'rev_a')).toBe(
      '660a196e905857ac9d653a58b259756c558f7bf2cd9cb6ad431f9d89b8c15a04',
    );
    expect(tieBreakRank(SEED, 'case_2', 'rev_a')).toBe(
      '2a083178630078160c2cd4b5d766bff8b24f48c26b843eaf3b084ebf9e55cdfd',
    );
    const tied = ['rev_a', 'rev_b', 'rev_c', 'rev_d'].map((id) => reviewer(id));
    const expected = [...tied]
      .sort((a, b) =>
        tieBreakRank(SEED, 'case_1', a.reviewerId) < tieBreakRank(SEED, 'case_1', b.reviewerId) ? -1 : 1,
      )
      .slice(0, 2)
      .map((r) => r.reviewerId);
    expect(pickedIds(routeCase(policeCase(), tied, SEED))).toEqual(expected);
  });
});

describe('routeCase: determinism and fairness of ties', () => {
  const panel = Array.from({ length: 10 }, (_, index) => reviewer(`rev_${index}`, { capacity: 10 }));

  it('gives the same outcome for the same inputs, whatever order the reviewers arrive in', () => {
    const reviewers = panel.map((r, index) => ({
      ...r,
      load: index % 3,
      unit: index === 4 ? 'PPU North' : undefined,
    }));
    const first = routeCase(policeCase(), reviewers, SEED);
    expect(routeCase(policeCase(), reviewers, SEED)).toEqual(first);
    const reversed = routeCase(policeCase(), [...reviewers].reverse(), SEED);
    expect(pickedIds(reversed)).toEqual(pickedIds(first));
  });

  it('sends ties on different cases to different reviewers', () => {
    const firstPicks = Array.from({ length: 60 }, (_, index) => {
      return pickedIds(routeCase(policeCase({ caseId: `case_${index}` }), panel, SEED))[0];
    });
    const counts = new Map<string | undefined, number>();
    for (const id of firstPicks) counts.set(id, (counts.get(id) ?? 0) + 1);
    // With ten equally placed reviewers, every one of them should win some ties and none most of them.
    expect(counts.size).toBe(10);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(15);
  });

  it('draws different ties under a different seed', () => {
    const picksUnder = (seed: string) =>
      Array.from({ length: 20 }, (_, index) =>
        pickedIds(routeCase(policeCase({ caseId: `case_${index}` }), panel, seed)).join(','),
      );
    expect(picksUnder('another seed')).not.toEqual(picksUnder(SEED));
    expect(picksUnder(SEED)).toEqual(picksUnder(SEED));
  });
});

describe('routeCase: filling a gap on a reassignment', () => {
  it('keeps the reviewer who stays and fills the place of the one who declined', () => {
    const reviewers = [
      reviewer('rev_isva', { load: 3 }),
      reviewer('rev_declined', { agency: 'police', unit: 'FCID', load: 0 }),
      reviewer('rev_p1', { agency: 'police', unit: 'NPU East', load: 1 }),
      reviewer('rev_p2', { agency: 'police', unit: 'NPU West', load: 2 }),
    ];
    const reviewCase = policeCase({ alreadyAssigned: ['rev_isva'], declinedBy: ['rev_declined'] });
    const outcome = routed(routeCase(reviewCase, reviewers, SEED));
    // The independent reviewer who stays satisfies independence, so the gap goes to the lowest load.
    expect(outcome.picks).toEqual([{ reviewerId: 'rev_p1', reason: 'load 1 of 4, lowest among 2 eligible' }]);
    expect(rulesFor(outcome.exclusions, 'rev_isva')).toEqual(['already-assigned']);
    expect(rulesFor(outcome.exclusions, 'rev_declined')).toEqual(['declined-this-case']);
  });

  it('fills the gap with an independent reviewer when the one who stays is from the deciding body', () => {
    const reviewers = [
      reviewer('rev_p1', { agency: 'police', unit: 'FCID', load: 2 }),
      reviewer('rev_p2', { agency: 'police', unit: 'NPU East', load: 0 }),
      reviewer('rev_isva_removed', { load: 0 }),
      reviewer('rev_health', { agency: 'health', load: 3 }),
    ];
    const reviewCase = policeCase({ alreadyAssigned: ['rev_p1'], declinedBy: ['rev_isva_removed'] });
    const outcome = routed(routeCase(reviewCase, reviewers, SEED));
    expect(pickedIds(outcome)).toEqual(['rev_health']);
    expect(outcome.picks[0]?.reason).toMatch(/^independent of the police; /);
  });

  it('is unassignable, picking nobody, when the gap cannot be filled', () => {
    const reviewers = [reviewer('rev_isva'), reviewer('rev_declined')];
    const reviewCase = policeCase({ alreadyAssigned: ['rev_isva'], declinedBy: ['rev_declined'] });
    const outcome = routeCase(reviewCase, reviewers, SEED);
    expect(outcome).toMatchObject({
      status: 'unassignable',
      reason: '1 more reviewer needed (1 of 2 already assigned), 0 eligible',
    });
  });

  it('picks nobody when the case already has its reviewers, and flags a case with no independent one', () => {
    const reviewers = [
      reviewer('rev_isva'),
      reviewer('rev_p1', { agency: 'police', unit: 'FCID' }),
      reviewer('rev_p2', { agency: 'police', unit: 'FCID' }),
      reviewer('rev_spare'),
    ];
    const full = routeCase(policeCase({ alreadyAssigned: ['rev_isva', 'rev_p1'] }), reviewers, SEED);
    expect(routed(full).picks).toEqual([]);
    const allPolice = routeCase(policeCase({ alreadyAssigned: ['rev_p1', 'rev_p2'] }), reviewers, SEED);
    expect(allPolice).toMatchObject({
      status: 'unassignable',
      reason: '2 reviewers already assigned and none is independent of the police',
    });
  });

  it('does not count an assigned reviewer missing from the panel list as independent', () => {
    const reviewers = [
      reviewer('rev_p1', { agency: 'police', unit: 'FCID' }),
      reviewer('rev_isva', { load: 3 }),
    ];
    const outcome = routed(routeCase(policeCase({ alreadyAssigned: ['rev_gone'] }), reviewers, SEED));
    expect(pickedIds(outcome)).toEqual(['rev_isva']);
  });
});

describe('routeCase: cases that cannot be routed', () => {
  it('says how many were needed and how many were eligible', () => {
    const reviewers = [reviewer('rev_a'), reviewer('rev_b', { active: false })];
    expect(routeCase(policeCase(), reviewers, SEED)).toMatchObject({
      status: 'unassignable',
      reason: '2 reviewers needed, 1 eligible',
    });
    expect(routeCase(policeCase({ reviewersNeeded: 1 }), [], SEED)).toMatchObject({
      status: 'unassignable',
      reason: '1 reviewer needed, 0 eligible',
    });
  });

  it('refuses a nonsensical request rather than guessing', () => {
    expect(() => routeCase(policeCase({ reviewersNeeded: 0 }), bystanders, SEED)).toThrow(RangeError);
    expect(() => routeCase(policeCase({ reviewersNeeded: 1.5 }), bystanders, SEED)).toThrow(RangeError);
    expect(() => routeCase(policeCase(), [reviewer('rev_a'), reviewer('rev_a')], SEED)).toThrow(
      'reviewer rev_a is listed more than once',
    );
    expect(() => routeCases([policeCase(), policeCase()], bystanders, SEED)).toThrow(
      'case case_1 is listed more than once in the batch',
    );
  });
});

describe('routeCases: a batch', () => {
  it('applies each case picks to the loads the next case sees, and never exceeds capacity', () => {
    const reviewers = ['rev_a', 'rev_b', 'rev_c', 'rev_d'].map((id) => reviewer(id, { capacity: 2 }));
    const cases = Array.from({ length: 5 }, (_, index) => policeCase({ caseId: `case_${index}` }));
    const { outcomes, loads } = routeCases(cases, reviewers, SEED);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'routed',
      'routed',
      'routed',
      'routed',
      'unassignable',
    ]);
    expect(loads).toEqual({ rev_a: 2, rev_b: 2, rev_c: 2, rev_d: 2 });
    expect(outcomes[4]).toMatchObject({ reason: '2 reviewers needed, 0 eligible' });
    expect(rulesFor(outcomes[4]?.exclusions ?? [], 'rev_a')).toEqual(['at-capacity']);
    // The caller's reviewers are left as they were.
    expect(reviewers.map((r) => r.load)).toEqual([0, 0, 0, 0]);
  });

  it('leaves loads untouched for a case it cannot route', () => {
    const reviewers = [reviewer('rev_a'), reviewer('rev_b')];
    const cases = [policeCase({ caseId: 'case_big', reviewersNeeded: 3 }), policeCase({ caseId: 'case_ok' })];
    const { outcomes, loads } = routeCases(cases, reviewers, SEED);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['unassignable', 'routed']);
    expect(loads).toEqual({ rev_a: 1, rev_b: 1 });
  });

  it('spreads load as evenly as possible over equally placed reviewers', () => {
    const reviewers = Array.from({ length: 30 }, (_, index) => reviewer(`rev_${index}`, { capacity: 100 }));
    const cases = Array.from({ length: 500 }, (_, index) => policeCase({ caseId: `case_${index}` }));
    const { outcomes, loads } = routeCases(cases, reviewers, SEED);
    expect(outcomes.every((outcome) => outcome.status === 'routed')).toBe(true);
    const values = Object.values(loads);
    expect(Math.max(...values) - Math.min(...values)).toBe(bestPossibleSpread(1000, 30));
  });

  it('is deterministic for the same inputs', () => {
    const reviewers = Array.from({ length: 6 }, (_, index) =>
      reviewer(`rev_${index}`, {
        agency: index < 3 ? 'police' : 'isva',
        unit: index < 3 ? 'FCID' : undefined,
      }),
    );
    const cases = Array.from({ length: 10 }, (_, index) => policeCase({ caseId: `case_${index}` }));
    expect(routeCases(cases, reviewers, SEED)).toEqual(routeCases(cases, reviewers, SEED));
  });
});

describe('bestPossibleSpread', () => {
  it('is 0 when the assignments divide evenly and 1 otherwise', () => {
    expect(bestPossibleSpread(60, 30)).toBe(0);
    expect(bestPossibleSpread(0, 7)).toBe(0);
    expect(bestPossibleSpread(1000, 30)).toBe(1);
    expect(() => bestPossibleSpread(10, 0)).toThrow(RangeError);
    expect(() => bestPossibleSpread(-1, 3)).toThrow(RangeError);
  });
});

// The property test's own statement of the rules, written independently of the module under test.
const sameUnit = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

function mayReview(candidate: RoutingReviewer, load: number, reviewCase: RoutingCase): boolean {
  const involved = [reviewCase.decisionMakerId, reviewCase.officerInCaseId].filter((id) => id !== undefined);
  return (
    candidate.active &&
    load < candidate.capacity &&
    !(reviewCase.declinedBy ?? []).includes(candidate.reviewerId) &&
    !(reviewCase.alreadyAssigned ?? []).includes(candidate.reviewerId) &&
    !sameUnit(candidate.unit, reviewCase.unit) &&
    !(candidate.personId !== undefined && involved.includes(candidate.personId)) &&
    !candidate.standingConflicts.some(
      (entry) => [...involved, reviewCase.decisionId].includes(entry) || sameUnit(entry, reviewCase.unit),
    )
  );
}

type CapacityRegime = 'tight' | 'mixed' | 'ample';
const CAPACITY_RANGES: Record<CapacityRegime, readonly [number, number]> = {
  // About 1,075 places are wanted: tight leaves many cases without enough reviewers, mixed lets about
  // half the panel reach capacity, ample lets nobody.
  tight: [10, 40],
  mixed: [30, 70],
  ample: [100, 120],
};
const POLICE_UNITS = ['PPU North', 'PPU South', 'FCID', 'NPU East', 'NPU West'];
const CPS_UNITS = ['CPS RASSO North', 'CPS RASSO South'];
const OTHER_AGENCIES = ['isva', 'independent', 'academic', 'health', 'local_authority'] as const;

function scenario(seed: number, regime: CapacityRegime) {
  const random = seededRandom(seed);
  const choose = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const [lowestCapacity, highestCapacity] = CAPACITY_RANGES[regime];
  // Reviewers from the police and the CPS are staff 0-29, so some of them made the decisions.
  const staff = Array.from({ length: 40 }, (_, index) => `psn_${String(index).padStart(3, '0')}`);
  const conflictPool = [...staff, ...POLICE_UNITS, ...CPS_UNITS, 'dec_0007', 'dec_0100'];

  const reviewers: RoutingReviewer[] = Array.from({ length: 30 }, (_, index) => {
    const draw = random();
    const agency = draw < 0.4 ? 'police' : draw < 0.6 ? 'cps' : choose(OTHER_AGENCIES);
    const unit =
      agency === 'police' ? choose(POLICE_UNITS) : agency === 'cps' ? choose(CPS_UNITS) : undefined;
    return {
      reviewerId: `rev_${String(index).padStart(2, '0')}`,
      agency,
      unit,
      personId: agency === 'police' || agency === 'cps' ? staff[index] : undefined,
      capacity: lowestCapacity + Math.floor(random() * (highestCapacity - lowestCapacity + 1)),
      load: Math.floor(random() * 6),
      standingConflicts: Array.from({ length: Math.floor(random() * 4) }, () => choose(conflictPool)),
      active: random() < 0.9,
    };
  });
  const reviewerIds = reviewers.map((r) => r.reviewerId);

  const cases: RoutingCase[] = Array.from({ length: 500 }, (_, index) => {
    const decidingBody = random() < 0.75 ? 'police' : 'cps';
    const units = decidingBody === 'police' ? POLICE_UNITS : CPS_UNITS;
    const declinedBy = random() < 0.15 ? [choose(reviewerIds)] : undefined;
    const alreadyAssigned = random() < 0.1 ? [choose(reviewerIds)] : undefined;
    return {
      caseId: `case_${String(index).padStart(4, '0')}`,
      decisionId: `dec_${String(index).padStart(4, '0')}`,
      decidingBody,
      unit: random() < 0.9 ? choose(units) : undefined,
      decisionMakerId: random() < 0.9 ? choose(staff) : undefined,
      officerInCaseId: random() < 0.9 ? choose(staff) : undefined,
      reviewersNeeded: random() < 0.85 ? 2 : 3,
      alreadyAssigned: alreadyAssigned?.filter((id) => !declinedBy?.includes(id)),
      declinedBy,
    };
  });
  return { reviewers, cases };
}

/**
 * Routes a random scenario and checks every outcome against the rules as stated in this file, with
 * loads tracked here. Returns how many cases were routed and the load spread (max - min) over the
 * reviewers eligible for similar cases: the active ones whose capacity never held them back, whose
 * loads differ only because units and conflicts rule them out of some cases.
 */
function routeAndCheck(seed: number, regime: CapacityRegime) {
  const { reviewers, cases } = scenario(seed, regime);
  const { outcomes, loads } = routeCases(cases, reviewers, `seed-${seed}`);
  const load = new Map(reviewers.map((r) => [r.reviewerId, r.load]));
  const loadOf = (r: RoutingReviewer) => load.get(r.reviewerId) ?? 0;
  const byId = new Map(reviewers.map((r) => [r.reviewerId, r]));
  expect(outcomes.map((outcome) => outcome.caseId)).toEqual(cases.map((c) => c.caseId));

  outcomes.forEach((outcome, index) => {
    const reviewCase = cases[index] as RoutingCase;
    const eligible = reviewers.filter((r) => mayReview(r, loadOf(r), reviewCase));
    const independent = (r: RoutingReviewer | undefined) =>
      r !== undefined && r.agency !== reviewCase.decidingBody;
    const assigned = reviewCase.alreadyAssigned ?? [];
    const alreadyIndependent = assigned.some((id) => independent(byId.get(id)));

    // Exactly the reviewers the rules keep off the case are excluded.
    const excludedIds = new Set(outcome.exclusions.map((exclusion) => exclusion.reviewerId));
    expect(reviewers.filter((r) => !excludedIds.has(r.reviewerId))).toEqual(eligible);

    if (outcome.status === 'unassignable') {
      const gap = reviewCase.reviewersNeeded - assigned.length;
      expect(eligible.length < gap || (!alreadyIndependent && !eligible.some(independent))).toBe(true);
      return;
    }
    const picked = outcome.picks.map((pick) => byId.get(pick.reviewerId) as RoutingReviewer);
    expect(picked).toHaveLength(reviewCase.reviewersNeeded - assigned.length);
    expect(new Set([...assigned, ...picked.map((r) => r.reviewerId)]).size).toBe(reviewCase.reviewersNeeded);
    for (const r of picked) expect(eligible).toContain(r);
    expect(alreadyIndependent || picked.some(independent)).toBe(true);

    // Load balance: nobody left out carries less than a pick made on load alone, and when the first
    // pick was made for independence, no independent reviewer left out carries less than it.
    const leftOut = eligible.filter((r) => !picked.includes(r));
    const fillPicks = alreadyIndependent ? picked : picked.slice(1);
    const lowestLeftOut = Math.min(...leftOut.map(loadOf));
    for (const r of fillPicks) expect(loadOf(r)).toBeLessThanOrEqual(lowestLeftOut);
    if (!alreadyIndependent) {
      const lowestIndependentLeftOut = Math.min(...leftOut.filter(independent).map(loadOf));
      expect(loadOf(picked[0] as RoutingReviewer)).toBeLessThanOrEqual(lowestIndependentLeftOut);
    }
    for (const r of picked) load.set(r.reviewerId, loadOf(r) + 1);
  });

  expect(loads).toEqual(Object.fromEntries(load));
  for (const r of reviewers) expect(loads[r.reviewerId]).toBeLessThanOrEqual(Math.max(r.capacity, r.load));

  const unconstrained = reviewers.filter((r) => r.active && (loads[r.reviewerId] ?? 0) < r.capacity);
  const finalLoads = unconstrained.map((r) => loads[r.reviewerId] ?? 0);
  return {
    routed: outcomes.filter((outcome) => outcome.status === 'routed').length,
    unconstrained: unconstrained.length,
    spread: Math.max(...finalLoads) - Math.min(...finalLoads),
  };
}

describe('routeCases: 500 random cases over 30 reviewers (random units, conflicts and capacities)', () => {
  const SCENARIOS = [1, 2, 3, 4, 5, 6, 7, 8];
  // Equally placed reviewers can be kept within one (bestPossibleSpread); these are not equally placed,
  // and a reviewer ruled out of the last few cases can end up one further behind. Over these scenarios
  // the spread is 1 or 2 (ample: 1 in six of eight; mixed: 1 in three of eight).

  it.each(SCENARIOS)('never breaks a rule and keeps loads within two (capacity to spare, %i)', (seed) => {
    const result = routeAndCheck(seed, 'ample');
    expect(result.routed).toBe(500);
    expect(result.spread).toBeLessThanOrEqual(2);
  });

  it.each(SCENARIOS)('never breaks a rule and keeps loads within two (half at capacity, %i)', (seed) => {
    const result = routeAndCheck(seed, 'mixed');
    expect(result.routed).toBeGreaterThan(450);
    expect(result.unconstrained).toBeGreaterThan(4);
    expect(result.spread).toBeLessThanOrEqual(2);
  });

  it.each(SCENARIOS)('never breaks a rule, and never half-assigns when places run out (%i)', (seed) => {
    const result = routeAndCheck(seed, 'tight');
    expect(result.routed).toBeGreaterThan(200);
    expect(result.routed).toBeLessThan(400);
  });
});
