/**
 * Synthetic decisions in the force export format: realistic in shape and mix (offence groups,
 * outcome codes including local variants, deciding bodies and units, DA markers, custody
 * disposals, protective measures), reproducible from a seed, and about no real person. Every
 * reference, id and summary is invented; where a name would appear the summary says [REDACTED].
 *
 * Sources for the shapes (the figures are quoted where they are used):
 * - "the board paper": the force's Strategic Policing and Crime Board paper on VAIWG, March 2022
 *   (../shared/domain/board-paper-vaiwg-2022-03.txt in the design material), paragraphs 29-34
 *   (stalking and harassment volumes, DA shares, outcome rates, FCID and PPU roles) and 42 (method
 *   of disposal from custody, April 2021 to February 2022).
 * - The Home Office outcome framework (shared/decisions/outcome-codes.ts, DESIGN.md section 2).
 * - Where neither gives a figure, a stated judgement.
 *
 * One decision is drawn at a time from a seeded generator, so a file of any size streams with flat
 * memory, and the same options give byte-identical output on any machine (only integer arithmetic,
 * IEEE doubles and UTC dates are involved).
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import type { CUSTODY_DISPOSALS, OFFENCE_GROUPS, PROTECTIVE_MEASURES } from '../shared/decisions/decision.ts';
import { FORCE_EXPORT_HEADER, type ForceExportColumn } from '../shared/imports/force-export.ts';

/** The offence groups a force export carries (the shared list also holds police.uk crime types). */
type OffenceGroup = Extract<
  (typeof OFFENCE_GROUPS)[number],
  | 'rape'
  | 'other_serious_sexual_offence'
  | 'stalking'
  | 'harassment'
  | 'malicious_communications'
  | 'other_domestic_abuse'
>;
type CustodyDisposal = (typeof CUSTODY_DISPOSALS)[number];
type ProtectiveMeasure = Exclude<(typeof PROTECTIVE_MEASURES)[number], 'none'>;
type DecidingBody = 'police' | 'cps';

/** Mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A weighted choice, with the cumulative weights computed once rather than per draw. */
class WeightedChoice<T> {
  private readonly values: T[] = [];
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(entries: Iterable<readonly [T, number]>) {
    let total = 0;
    for (const [value, weight] of entries) {
      if (!(weight >= 0)) throw new RangeError(`weight of ${String(value)} must not be negative`);
      if (weight === 0) continue;
      total += weight;
      this.values.push(value);
      this.cumulative.push(total);
    }
    if (total <= 0) throw new RangeError('a weighted choice needs a positive weight');
    this.total = total;
  }

  static of<K extends string>(table: Readonly<Partial<Record<K, number>>>): WeightedChoice<K> {
    return new WeightedChoice(Object.entries(table) as [K, number][]);
  }

  pick(random: () => number): T {
    const point = random() * this.total;
    for (let i = 0; i < this.cumulative.length; i++) {
      if (point < (this.cumulative[i] as number)) return this.values[i] as T;
    }
    return this.values[this.values.length - 1] as T;
  }
}

const chance = (random: () => number, probability: number): boolean => random() < probability;
const pickOne = <T>(random: () => number, options: readonly T[]): T =>
  options[Math.floor(random() * options.length)] as T;

// ---------------------------------------------------------------------------------------------
// Offence groups

/**
 * Share of decisions per offence group, in per cent. The board paper (para 31) gives about 3,900
 * harassment and 666 stalking offences a month, so harassment outnumbers stalking about 5.9 to 1;
 * here 51 : 9 (5.7 to 1). It gives no volumes for the other groups: rape, other serious sexual
 * offences, malicious communications and other DA are a judgement, with rape and other sexual
 * offences weighted above their share of recorded crime because they are what the Rape Scrutiny
 * Panel examines.
 */
export const OFFENCE_GROUP_MIX: Readonly<Record<OffenceGroup, number>> = {
  harassment: 51,
  stalking: 9,
  rape: 12,
  other_serious_sexual_offence: 10,
  malicious_communications: 10,
  other_domestic_abuse: 8,
};

/**
 * Share of each group's decisions carrying the domestic abuse marker. Stalking 90% and harassment
 * 22.5% are the board paper's (para 31); other DA is DA by definition. Rape 40%, other serious
 * sexual offences 20% and malicious communications 30% are a judgement (a large minority of rapes
 * reported to police are by a partner or former partner; the paper gives no figure).
 */
export const DA_MARKER_SHARE: Readonly<Record<OffenceGroup, number>> = {
  stalking: 0.9,
  harassment: 0.225,
  other_domestic_abuse: 1,
  rape: 0.4,
  other_serious_sexual_offence: 0.2,
  malicious_communications: 0.3,
};

// ---------------------------------------------------------------------------------------------
// Outcome codes

/** Local variants the force records, and the national outcome each one carries (3A is a 3). */
const NATIONAL_CODE: Readonly<Record<string, string>> = { '16A': '16', '21B': '21', '3A': '3' };
const nationalCodeOf = (code: string): string => NATIONAL_CODE[code] ?? code;

/**
 * Outcome codes per group, in per cent of the group's decisions (each row sums to 100). The export
 * is of finalised decisions, so NFA and filing outcomes (9, 10, 14, 15, 16, 18, 21) dominate, with
 * the evidential-difficulty outcomes 15 and 16 the largest, as in the Home Office outcome
 * statistics for these offences. Positive outcomes (1 charge, 3 caution, 8 community resolution)
 * follow the board paper's outcome rates since January 2022 (para 31): stalking 3.2% (1: 2.6 +
 * out-of-court 0.6), harassment 2.1% (1: 1.4 + 0.7). Rape 4% charged with no out-of-court outcome
 * (the custody table shows no OOCD for rape), other sexual offences 5% + 1%, malicious
 * communications 2% + 2% (the paper's FCID pilot pushes OOCDs there, para 32) and other DA 6% + 2%
 * are a judgement. Local variants 16A, 21B and 3A make up 2.5% of every group: the importer keeps
 * and flags them.
 */
export const OUTCOME_MIX: Readonly<Record<OffenceGroup, Readonly<Record<string, number>>>> = {
  rape: { '1': 4, '15': 40, '16': 40, '16A': 2, '14': 3, '18': 3, '21': 4.5, '21B': 0.5, '10': 1, '9': 2 },
  other_serious_sexual_offence: {
    '1': 5,
    '3': 0.7,
    '8': 0.2,
    '3A': 0.1,
    '15': 30,
    '16': 36,
    '16A': 1.9,
    '14': 6,
    '18': 8,
    '21': 7.5,
    '21B': 0.5,
    '10': 2,
    '9': 2.1,
  },
  stalking: {
    '1': 2.6,
    '3': 0.3,
    '8': 0.2,
    '3A': 0.1,
    '15': 30,
    '16': 44,
    '16A': 1.6,
    '14': 2,
    '18': 2,
    '21': 12,
    '21B': 0.8,
    '10': 2.4,
    '9': 2,
  },
  harassment: {
    '1': 1.4,
    '3': 0.3,
    '8': 0.3,
    '3A': 0.1,
    '15': 25,
    '16': 45,
    '16A': 1.6,
    '14': 5,
    '18': 4,
    '21': 12.5,
    '21B': 0.8,
    '10': 3,
    '9': 1,
  },
  malicious_communications: {
    '1': 2,
    '3': 0.8,
    '8': 1.1,
    '3A': 0.1,
    '15': 20,
    '16': 40,
    '16A': 1.6,
    '14': 8,
    '18': 8,
    '21': 13.6,
    '21B': 0.8,
    '10': 3,
    '9': 1,
  },
  other_domestic_abuse: {
    '1': 6,
    '3': 1,
    '8': 0.9,
    '3A': 0.1,
    '15': 22,
    '16': 48,
    '16A': 1.6,
    '14': 1.5,
    '18': 1.5,
    '21': 12,
    '21B': 0.8,
    '10': 2.6,
    '9': 2,
  },
};

/** The outcome's own definition fixes whether a suspect was identified (14, 18: no). */
const NO_SUSPECT_OUTCOMES = new Set(['14', '18']);
const OUT_OF_COURT_OUTCOMES = new Set(['3', '8']);

/**
 * Probability that the victim supports action, per national outcome. 14 and 16 say the victim does
 * not support, 15 that they do. For the rest it is a judgement: most charges have the victim's
 * support (the others are evidence-led prosecutions), a caution or community resolution takes the
 * victim's views into account, and public-interest and no-suspect closures are mixed.
 */
const VICTIM_SUPPORTS_BY_OUTCOME: Readonly<Record<string, number>> = {
  '1': 0.9,
  '3': 0.95,
  '8': 0.95,
  '9': 0.6,
  '10': 0.6,
  '14': 0,
  '15': 1,
  '16': 0,
  '18': 0.8,
  '21': 0.6,
};

// ---------------------------------------------------------------------------------------------
// Deciding body

/**
 * Share of charges decided by the CPS (judgement from the DPP's Guidance on Charging: rape is
 * indictable only, so the CPS always decides; police may charge many summary and either-way
 * harassment and communications offences, less so where DA is involved).
 */
const CPS_SHARE_OF_CHARGES: Readonly<Record<OffenceGroup, number>> = {
  rape: 1,
  other_serious_sexual_offence: 0.9,
  stalking: 0.75,
  harassment: 0.4,
  malicious_communications: 0.3,
  other_domestic_abuse: 0.7,
};

/**
 * Share of evidential-difficulty NFAs (15, 16) decided by the CPS after a file was referred for a
 * charging decision, the rest being police decisions not to refer (judgement; rape files go to the
 * CPS far more often than harassment files). Outcome 9 is always the CPS's.
 */
const CPS_SHARE_OF_EVIDENTIAL_NFA: Readonly<Record<OffenceGroup, number>> = {
  rape: 0.45,
  other_serious_sexual_offence: 0.35,
  stalking: 0.2,
  harassment: 0.08,
  malicious_communications: 0.08,
  other_domestic_abuse: 0.25,
};

const CPS_UNIT = 'CPS RASSO Unit';

/**
 * Pseudonymous decision-makers and officers belong to a unit, so a decision-maker id always goes
 * with the same unit (conflict screening relies on that). Ranges: DM-0001..DM-0050 police,
 * DM-0051..DM-0060 CPS; OIC-0001..OIC-0240 police.
 */
const UNIT_STAFF = {
  'PPU North': { decisionMakers: [1, 5], officers: [1, 20] },
  'PPU South': { decisionMakers: [6, 5], officers: [21, 20] },
  'PPU East': { decisionMakers: [11, 5], officers: [41, 20] },
  'PPU West': { decisionMakers: [16, 5], officers: [61, 20] },
  FCID: { decisionMakers: [21, 10], officers: [81, 60] },
  'NPU Central': { decisionMakers: [31, 5], officers: [141, 25] },
  'NPU North': { decisionMakers: [36, 5], officers: [166, 25] },
  'NPU South': { decisionMakers: [41, 5], officers: [191, 25] },
  'NPU West': { decisionMakers: [46, 5], officers: [216, 25] },
} as const satisfies Record<string, { decisionMakers: [number, number]; officers: [number, number] }>;
const CPS_DECISION_MAKERS: [number, number] = [51, 10];
type PoliceUnit = keyof typeof UNIT_STAFF;

/**
 * The investigating police unit per group (judgement guided by the board paper: RASSO
 * investigations sit in the PPU, with FCID teams trained for some (para 10); stalking goes to FCID
 * hubs (para 34) with PPU leads for DA stalking (para 30); FCID's Initial Investigation Team and
 * the NPUs take harassment and malicious communications (para 32); DA is PPU and NPU work).
 */
const POLICE_UNIT_MIX: Readonly<Record<OffenceGroup, Readonly<Partial<Record<PoliceUnit, number>>>>> = {
  rape: {
    'PPU North': 22,
    'PPU South': 22,
    'PPU East': 20,
    'PPU West': 20,
    FCID: 10,
    'NPU Central': 2,
    'NPU North': 2,
    'NPU South': 1,
    'NPU West': 1,
  },
  other_serious_sexual_offence: {
    'PPU North': 17,
    'PPU South': 17,
    'PPU East': 17,
    'PPU West': 17,
    FCID: 16,
    'NPU Central': 4,
    'NPU North': 4,
    'NPU South': 4,
    'NPU West': 4,
  },
  stalking: {
    FCID: 50,
    'PPU North': 5,
    'PPU South': 5,
    'PPU East': 5,
    'PPU West': 5,
    'NPU Central': 7.5,
    'NPU North': 7.5,
    'NPU South': 7.5,
    'NPU West': 7.5,
  },
  harassment: {
    FCID: 40,
    'PPU North': 2.5,
    'PPU South': 2.5,
    'PPU East': 2.5,
    'PPU West': 2.5,
    'NPU Central': 12.5,
    'NPU North': 12.5,
    'NPU South': 12.5,
    'NPU West': 12.5,
  },
  malicious_communications: {
    FCID: 45,
    'PPU North': 1.25,
    'PPU South': 1.25,
    'PPU East': 1.25,
    'PPU West': 1.25,
    'NPU Central': 12.5,
    'NPU North': 12.5,
    'NPU South': 12.5,
    'NPU West': 12.5,
  },
  other_domestic_abuse: {
    'PPU North': 13.75,
    'PPU South': 13.75,
    'PPU East': 13.75,
    'PPU West': 13.75,
    'NPU Central': 11.25,
    'NPU North': 11.25,
    'NPU South': 11.25,
    'NPU West': 11.25,
  },
};

// ---------------------------------------------------------------------------------------------
// Custody disposals

/**
 * The board paper's table (para 42): method of disposal from custody, April 2021 to February 2022,
 * in per cent of persons in custody. Stalking, harassment and malicious communications use the
 * first column, rape and other sexual offences the rape column, other DA the DA column.
 */
export const CUSTODY_TABLE = {
  stalking_harassment_malicious_communications: {
    charged: 10,
    bailed: 18,
    released_under_investigation: 25,
    out_of_court_disposal: 3,
    no_further_action: 28,
  },
  rape: {
    charged: 4,
    bailed: 29,
    released_under_investigation: 30,
    out_of_court_disposal: 0,
    no_further_action: 14,
  },
  domestic_abuse: {
    charged: 7,
    bailed: 15,
    released_under_investigation: 18,
    out_of_court_disposal: 3,
    no_further_action: 47,
  },
} as const;

export const CUSTODY_COLUMN: Readonly<Record<OffenceGroup, keyof typeof CUSTODY_TABLE>> = {
  stalking: 'stalking_harassment_malicious_communications',
  harassment: 'stalking_harassment_malicious_communications',
  malicious_communications: 'stalking_harassment_malicious_communications',
  rape: 'rape',
  other_serious_sexual_offence: 'rape',
  other_domestic_abuse: 'domestic_abuse',
};

/**
 * The paper cannot say how many of those bailed had conditions (para 42). Assumption: three in
 * four, since the force's guidance is to consider bail with conditions in every VAIWG case
 * (para 40) and bail without conditions is the exception it reviews in full.
 */
export const BAILED_WITH_CONDITIONS_SHARE = 0.75;

/**
 * How custody disposals are drawn. The table counts persons in custody, while this export counts
 * decisions (offences), and the two cannot both hold: the table's 10% charged from custody for
 * stalking and harassment would mean a 10% charge rate, against the paper's 2.1-3.2% outcome rate.
 * A custody disposal must also agree with the outcome: outcome 1 is exactly `charged`, an
 * out-of-court outcome (3, 8, 3A) exactly `out_of_court_disposal`, and a decision with no suspect
 * identified (14, 18) `not_arrested`. So `charged` and `out_of_court_disposal` take the outcome
 * mix's shares, while the table's bailed, RUI and NFA-from-custody percentages hold for each group
 * over all its decisions; everything else is `not_arrested`.
 *
 * Applying those percentages to every decision overstates arrests: the paper's 2,777 persons in
 * custody over eleven months, against some 4,566 stalking and harassment offences a month, put
 * about one offence in eighteen through custody. They are kept because the audit samples bail and
 * RUI cases (and takes every VAIWG bail without conditions as a census), so those need numbers.
 *
 * Within the remaining NFA outcomes (9, 10, 15, 16, 21 and their variants) a CPS decision is not
 * drawn after an NFA from custody (a file the police closed in custody is rarely referred), so the
 * whole NFA share goes to police decisions, and bailed, RUI and not-arrested share the rest.
 */
function custodyChoicesFor(group: OffenceGroup): Record<DecidingBody, WeightedChoice<CustodyDisposal>> {
  const mix = OUTCOME_MIX[group];
  const total = Object.values(mix).reduce((sum, weight) => sum + weight, 0);
  const share = (predicate: (national: string) => boolean) =>
    Object.entries(mix).reduce(
      (sum, [code, weight]) => (predicate(nationalCodeOf(code)) ? sum + weight : sum),
      0,
    ) / total;
  const otherNfa = share((code) => ['9', '10', '15', '16', '21'].includes(code));
  const cps =
    share((code) => code === '9') +
    CPS_SHARE_OF_EVIDENTIAL_NFA[group] * share((code) => ['15', '16'].includes(code));
  const police = otherNfa - cps;
  const column = CUSTODY_TABLE[CUSTODY_COLUMN[group]];
  const bailed = column.bailed / 100;
  const underInvestigation = column.released_under_investigation / 100;
  const nfaFromCustody = column.no_further_action / 100;
  const notArrested = otherNfa - bailed - underInvestigation - nfaFromCustody;
  if (notArrested < 0 || nfaFromCustody > police) {
    throw new RangeError(`the outcome mix of ${group} leaves too few NFA decisions for the custody table`);
  }
  const rest = otherNfa - nfaFromCustody;
  const spread = (scale: number) => ({
    bailed_with_conditions: (scale * bailed * BAILED_WITH_CONDITIONS_SHARE) / rest,
    bailed_without_conditions: (scale * bailed * (1 - BAILED_WITH_CONDITIONS_SHARE)) / rest,
    released_under_investigation: (scale * underInvestigation) / rest,
    not_arrested: (scale * notArrested) / rest,
  });
  return {
    police: WeightedChoice.of<CustodyDisposal>({
      no_further_action: nfaFromCustody / police,
      ...spread(1 - nfaFromCustody / police),
    }),
    cps: WeightedChoice.of<CustodyDisposal>(spread(1)),
  };
}

// ---------------------------------------------------------------------------------------------
// Protective measures

interface MeasureRates {
  /** Stalking Protection Order, on any stalking case with a known suspect. */
  readonly spo?: number;
  /** Sexual Risk Order. */
  readonly sro?: number;
  /** Only where the DA marker is set: DVPN, then DVPO on a share of those, and the civil orders. */
  readonly dvpn?: number;
  readonly dvpoAfterDvpn?: number;
  readonly non_molestation_order?: number;
  readonly dapo?: number;
}

/**
 * Per group (judgement): the board paper reports protective orders as under-used (para 37, 41)
 * and pushes Stalking Protection Orders in stalking cases (paras 10, 32), so measures are on a
 * minority of cases, mostly DA and stalking; a DVPO follows a DVPN; none without a known suspect.
 */
const MEASURE_RATES: Readonly<Record<OffenceGroup, MeasureRates>> = {
  stalking: { spo: 0.12, dvpn: 0.08, dvpoAfterDvpn: 0.5, non_molestation_order: 0.05, dapo: 0.02 },
  harassment: { dvpn: 0.06, dvpoAfterDvpn: 0.5, non_molestation_order: 0.04, dapo: 0.01 },
  malicious_communications: { dvpn: 0.03, dvpoAfterDvpn: 0.4, non_molestation_order: 0.03 },
  other_domestic_abuse: { dvpn: 0.15, dvpoAfterDvpn: 0.6, non_molestation_order: 0.06, dapo: 0.03 },
  rape: { sro: 0.03, dvpn: 0.06, dvpoAfterDvpn: 0.5, non_molestation_order: 0.04 },
  other_serious_sexual_offence: { sro: 0.04, dvpn: 0.05, dvpoAfterDvpn: 0.5, non_molestation_order: 0.03 },
};

function protectiveMeasures(
  random: () => number,
  group: OffenceGroup,
  daMarker: boolean,
  suspectIdentified: boolean,
): ProtectiveMeasure[] {
  if (!suspectIdentified) return [];
  const rates = MEASURE_RATES[group];
  const measures: ProtectiveMeasure[] = [];
  if (daMarker && chance(random, rates.dvpn ?? 0)) {
    measures.push('dvpn');
    if (chance(random, rates.dvpoAfterDvpn ?? 0)) measures.push('dvpo');
  }
  if (chance(random, rates.spo ?? 0)) measures.push('spo');
  if (daMarker && chance(random, rates.dapo ?? 0)) measures.push('dapo');
  if (chance(random, rates.sro ?? 0)) measures.push('sro');
  if (daMarker && chance(random, rates.non_molestation_order ?? 0)) measures.push('non_molestation_order');
  return measures;
}

/** THRIVE and the victim's voice are recorded on most files, not all (judgement; para 40). */
const THRIVE_RECORDED_SHARE = 0.85;
const VICTIMS_VOICE_RECORDED_SHARE = 0.7;

// ---------------------------------------------------------------------------------------------
// Summaries

interface SummaryFacts {
  readonly group: OffenceGroup;
  readonly daMarker: boolean;
  readonly outcome: string;
  readonly decidingBody: DecidingBody;
  readonly suspectIdentified: boolean;
  readonly victimSupports: boolean;
  readonly custody: CustodyDisposal;
  readonly measures: readonly ProtectiveMeasure[];
  readonly thriveRecorded: boolean;
  readonly victimsVoiceRecorded: boolean;
}

const REPORTS: Readonly<Record<OffenceGroup, { da: string[]; other: string[]; unknown: string[] }>> = {
  rape: {
    da: [
      'Victim reported rape by a former partner, [REDACTED].',
      'Victim reported repeated rape by their husband, [REDACTED].',
    ],
    other: [
      'Victim reported rape by an acquaintance, [REDACTED], after a night out.',
      'Victim reported rape by a man met through a dating app, [REDACTED].',
    ],
    unknown: ['Victim reported rape by a man unknown to them after a night out.'],
  },
  other_serious_sexual_offence: {
    da: ['Victim reported sexual assault by their partner, [REDACTED].'],
    other: [
      'Victim reported sexual touching by a colleague, [REDACTED], at work.',
      'Victim reported sexual assault by a taxi driver, [REDACTED].',
    ],
    unknown: [
      'Victim reported sexual assault by an unknown man in a nightclub.',
      'Victim reported sexual touching by an unknown man on a bus.',
    ],
  },
  stalking: {
    da: ['Victim reported being followed and repeatedly contacted by a former partner, [REDACTED].'],
    other: ['Victim reported being watched and followed by a neighbour, [REDACTED], over several months.'],
    unknown: ['Victim reported being watched and followed over several weeks by a man they could not name.'],
  },
  harassment: {
    da: ['Victim reported repeated abusive calls and messages from a former partner, [REDACTED].'],
    other: [
      'Victim reported repeated unwanted messages and visits from an acquaintance, [REDACTED].',
      'Victim reported repeated abuse in the street from a neighbour, [REDACTED].',
    ],
    unknown: ['Victim reported repeated unwanted calls from withheld numbers.'],
  },
  malicious_communications: {
    da: ['Victim received threatening messages from a former partner, [REDACTED].'],
    other: [
      'Victim received offensive and threatening messages on social media from a former friend, [REDACTED].',
    ],
    unknown: ['Victim received threatening messages from an anonymous social media account.'],
  },
  other_domestic_abuse: {
    da: [
      'Victim reported controlling behaviour and threats by their partner, [REDACTED].',
      'Victim reported assault and damage by a former partner, [REDACTED].',
    ],
    other: [],
    unknown: ['Victim reported abusive notes left at their home; the person responsible was not identified.'],
  },
};

const ENQUIRIES = [
  'Digital material downloaded.',
  'Third-party material requested.',
  'Witness statements taken.',
  'Body-worn video reviewed.',
  'Early investigative advice sought.',
];

const CUSTODY_SENTENCES: Readonly<Record<CustodyDisposal, string>> = {
  charged: 'Suspect arrested, interviewed and charged.',
  bailed_with_conditions:
    'Suspect arrested, interviewed and bailed with conditions not to contact the victim.',
  bailed_without_conditions: 'Suspect arrested, interviewed and bailed without conditions.',
  released_under_investigation: 'Suspect arrested, interviewed and released under investigation.',
  out_of_court_disposal: 'Suspect arrested and admitted the offence in interview.',
  no_further_action: 'Suspect arrested and interviewed; no further action from custody.',
  not_arrested: 'Suspect interviewed voluntarily; account disputed.',
};

const MEASURE_SENTENCES: Readonly<Record<ProtectiveMeasure, string>> = {
  dvpn: 'DVPN issued',
  dvpo: 'DVPO granted',
  spo: 'Stalking Protection Order applied for',
  dapo: 'DAPO applied for',
  sro: 'Sexual Risk Order applied for',
  non_molestation_order: 'victim holds a non-molestation order',
};

function outcomeSentence(facts: SummaryFacts): string {
  const cps = facts.decidingBody === 'cps';
  switch (nationalCodeOf(facts.outcome)) {
    case '1':
      return cps ? 'The CPS authorised the charge.' : 'Charge authorised by a police supervisor.';
    case '3':
      return 'Adult caution administered.';
    case '8':
      return 'Community resolution agreed.';
    case '9':
      return 'The CPS decided a prosecution was not in the public interest and recorded its reasons.';
    case '10':
      return 'Police decided formal action was not in the public interest.';
    case '14':
      return 'No suspect identified and the victim does not support further action; crime filed.';
    case '15':
      return cps
        ? 'The victim supports a prosecution; the CPS found no realistic prospect of conviction.'
        : 'The victim supports a prosecution; evidence judged insufficient to refer to the CPS.';
    case '16': {
      const withdrawal = 'The victim told their ISVA, [REDACTED], that they no longer support a prosecution;';
      return cps
        ? `${withdrawal} the CPS decided not to proceed without their evidence.`
        : `${withdrawal} evidence-led prosecution considered and not pursued.`;
    }
    case '18':
      return 'Investigation complete with no suspect identified; filed pending new information.';
    case '21':
      return 'Further investigation judged not in the public interest; supervisor review recorded.';
    default:
      return 'Outcome recorded with rationale.';
  }
}

/** Only outcomes whose definition leaves the victim's view open get a sentence about it. */
function victimSentence(facts: SummaryFacts): string | undefined {
  const national = nationalCodeOf(facts.outcome);
  if (['14', '15', '16'].includes(national)) return undefined;
  if (national === '1' && !facts.victimSupports)
    return 'Evidence-led prosecution without the victim’s support.';
  return facts.victimSupports ? 'The victim supports action.' : 'The victim does not support action.';
}

function syntheticSummary(random: () => number, facts: SummaryFacts): string {
  const reports = REPORTS[facts.group];
  const known = facts.daMarker || reports.other.length === 0 ? reports.da : reports.other;
  const sentences = ['Synthetic record.', pickOne(random, facts.suspectIdentified ? known : reports.unknown)];
  sentences.push(pickOne(random, ENQUIRIES));
  if (!facts.suspectIdentified)
    sentences.push('CCTV, phone and house-to-house enquiries did not identify a suspect.');
  else sentences.push(CUSTODY_SENTENCES[facts.custody]);
  if (facts.measures.length > 0) {
    const listed = facts.measures.map((measure) => MEASURE_SENTENCES[measure]).join('; ');
    sentences.push(`${listed.charAt(0).toUpperCase()}${listed.slice(1)}.`);
  }
  sentences.push(outcomeSentence(facts));
  const victim = victimSentence(facts);
  if (victim) sentences.push(victim);
  if (!facts.thriveRecorded) sentences.push('No THRIVE assessment on file.');
  if (!facts.victimsVoiceRecorded) sentences.push('The victim’s views are not recorded on the file.');
  return sentences.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Crime references and dates

/** Crime references need a unique 6-digit serial per file, so one file holds at most this many. */
export const MAX_SYNTHETIC_DECISIONS = 1_000_000;

/**
 * A seeded bijection on 0..999,999 (a four-round Feistel network on two halves of 0..999): row i
 * gets serial permute(i), unique within the file without remembering what was issued, and not in
 * file order.
 */
function serialPermutation(seed: number): (index: number) => number {
  const keyRandom = seededRandom(seed ^ 0x5eed5eed);
  const keys = [0, 1, 2, 3].map(() => Math.floor(keyRandom() * 4294967296) >>> 0);
  const round = (half: number, key: number) => {
    let t = Math.imul(half ^ key, 0x9e3779b1);
    t ^= t >>> 15;
    t = Math.imul(t, 0x85ebca77);
    t ^= t >>> 13;
    return (t >>> 0) % 1000;
  };
  return (index) => {
    let left = Math.floor(index / 1000);
    let right = index % 1000;
    for (const key of keys) {
      const next = (left + round(right, key)) % 1000;
      left = right;
      right = next;
    }
    return left * 1000 + right;
  };
}

const DAY_MS = 86_400_000;
const DEFAULT_UNTIL = new Date('2026-09-30T00:00:00Z');
/** Decisions fall in the 18 calendar months up to and including `until`. */
const WINDOW_MONTHS = 18;

/**
 * Days from recording the crime to the decision (judgement): sexual offence investigations run for
 * months, often over a year; harassment, communications and DA cases are quicker. The crime
 * reference carries the year the crime was recorded.
 */
const DAYS_TO_DECISION: Readonly<Record<OffenceGroup, readonly [number, number]>> = {
  rape: [60, 540],
  other_serious_sexual_offence: [30, 420],
  stalking: [14, 300],
  harassment: [7, 240],
  malicious_communications: [7, 240],
  other_domestic_abuse: [7, 270],
};

function utcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

const isoDay = (time: number): string => new Date(time).toISOString().slice(0, 10);

const crimeReference = (serial: number, year: number): string =>
  `SYN/${String(serial).padStart(6, '0')}/${String(year % 100).padStart(2, '0')}`;

// ---------------------------------------------------------------------------------------------
// Rows

export interface SyntheticOptions {
  readonly count: number;
  readonly seed: number;
  /** Decisions fall in the 18 months up to this date (UTC day); default 2026-09-30. */
  readonly until?: Date;
}

export type SyntheticRow = Record<ForceExportColumn, string>;

function checkOptions(options: SyntheticOptions): void {
  const { count, seed, until } = options;
  if (!Number.isInteger(count) || count < 0 || count > MAX_SYNTHETIC_DECISIONS) {
    throw new RangeError(`count must be a whole number from 0 to ${MAX_SYNTHETIC_DECISIONS}, got ${count}`);
  }
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (until !== undefined && Number.isNaN(until.getTime())) throw new RangeError('until is not a valid date');
}

const yesNo = (value: boolean): string => (value ? 'Y' : 'N');
const staffId = (prefix: string, [first, size]: readonly [number, number], random: () => number) =>
  `${prefix}-${String(first + Math.floor(random() * size)).padStart(4, '0')}`;

/**
 * One row object per synthetic decision, values as the CSV text, columns in FORCE_EXPORT_HEADER
 * order. Lazy: a million rows take no more memory than one.
 */
export function syntheticDecisionRows(options: SyntheticOptions): Generator<SyntheticRow> {
  checkOptions(options);
  return generateRows(options);
}

function* generateRows(options: SyntheticOptions): Generator<SyntheticRow> {
  const random = seededRandom(options.seed);
  const serialOf = serialPermutation(options.seed);
  const until = options.until ?? DEFAULT_UNTIL;
  const lastDay = utcDay(until);
  const firstDay = Date.UTC(until.getUTCFullYear(), until.getUTCMonth() - WINDOW_MONTHS, until.getUTCDate());
  const windowDays = Math.round((lastDay - firstDay) / DAY_MS) + 1;

  const groups = WeightedChoice.of(OFFENCE_GROUP_MIX);
  const perGroup = new Map(
    (Object.keys(OFFENCE_GROUP_MIX) as OffenceGroup[]).map((group) => [
      group,
      {
        outcomes: WeightedChoice.of(OUTCOME_MIX[group]),
        units: WeightedChoice.of(POLICE_UNIT_MIX[group]),
        custody: custodyChoicesFor(group),
      },
    ]),
  );

  for (let index = 0; index < options.count; index++) {
    const group = groups.pick(random);
    const choices = perGroup.get(group);
    if (!choices) throw new Error(`no choices for ${group}`);
    const daMarker = chance(random, DA_MARKER_SHARE[group]);
    const outcome = choices.outcomes.pick(random);
    const national = nationalCodeOf(outcome);

    let decidingBody: DecidingBody = 'police';
    if (national === '9') decidingBody = 'cps';
    else if (national === '1') decidingBody = chance(random, CPS_SHARE_OF_CHARGES[group]) ? 'cps' : 'police';
    else if (national === '15' || national === '16') {
      decidingBody = chance(random, CPS_SHARE_OF_EVIDENTIAL_NFA[group]) ? 'cps' : 'police';
    }

    const suspectIdentified = !NO_SUSPECT_OUTCOMES.has(national);
    const victimSupports = chance(random, VICTIM_SUPPORTS_BY_OUTCOME[national] ?? 0.6);
    let custody: CustodyDisposal;
    if (national === '1') custody = 'charged';
    else if (OUT_OF_COURT_OUTCOMES.has(national)) custody = 'out_of_court_disposal';
    else if (!suspectIdentified) custody = 'not_arrested';
    else custody = choices.custody[decidingBody].pick(random);

    const investigatingUnit = choices.units.pick(random);
    const unit = decidingBody === 'cps' ? CPS_UNIT : investigatingUnit;
    const decisionMakers =
      decidingBody === 'cps' ? CPS_DECISION_MAKERS : UNIT_STAFF[investigatingUnit].decisionMakers;
    const decisionMakerId = staffId('DM', decisionMakers, random);
    const officerInCaseId = staffId('OIC', UNIT_STAFF[investigatingUnit].officers, random);

    const decisionDay = firstDay + Math.floor(random() * windowDays) * DAY_MS;
    const [minDays, maxDays] = DAYS_TO_DECISION[group];
    const recordedDay = decisionDay - (minDays + Math.floor(random() * (maxDays - minDays + 1))) * DAY_MS;
    const recordedYear = new Date(recordedDay).getUTCFullYear();

    const measures = protectiveMeasures(random, group, daMarker, suspectIdentified);
    const thriveRecorded = chance(random, THRIVE_RECORDED_SHARE);
    const victimsVoiceRecorded = chance(random, VICTIMS_VOICE_RECORDED_SHARE);
    const summary = syntheticSummary(random, {
      group,
      daMarker,
      outcome,
      decidingBody,
      suspectIdentified,
      victimSupports,
      custody,
      measures,
      thriveRecorded,
      victimsVoiceRecorded,
    });

    yield {
      crime_reference: crimeReference(serialOf(index), recordedYear),
      offence_group: group,
      da_marker: yesNo(daMarker),
      outcome_code: outcome,
      deciding_body: decidingBody,
      decision_date: isoDay(decisionDay),
      unit,
      decision_maker_id: decisionMakerId,
      officer_in_case_id: officerInCaseId,
      victim_supports_action: yesNo(victimSupports),
      suspect_identified: yesNo(suspectIdentified),
      custody_disposal: custody,
      protective_measures: measures.length > 0 ? measures.join(';') : 'none',
      thrive_recorded: yesNo(thriveRecorded),
      victims_voice_recorded: yesNo(victimsVoiceRecorded),
      summary,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Files

export type SyntheticExportFormat = 'force-csv' | 'force-ndjson';

/** One NDJSON line: the CSV columns, with Y/N as booleans and the measures as an array. */
export type SyntheticNdjsonRecord = Omit<
  Record<ForceExportColumn, string>,
  | 'da_marker'
  | 'victim_supports_action'
  | 'suspect_identified'
  | 'thrive_recorded'
  | 'victims_voice_recorded'
  | 'protective_measures'
> & {
  da_marker: boolean;
  victim_supports_action: boolean;
  suspect_identified: boolean;
  thrive_recorded: boolean;
  victims_voice_recorded: boolean;
  protective_measures: string[];
};

export function toNdjsonRecord(row: SyntheticRow): SyntheticNdjsonRecord {
  const record: Record<string, unknown> = {};
  for (const column of FORCE_EXPORT_HEADER) {
    const value = row[column];
    if (YES_NO_COLUMNS.has(column)) record[column] = value === 'Y';
    else if (column === 'protective_measures') record[column] = value === 'none' ? [] : value.split(';');
    else record[column] = value;
  }
  return record as SyntheticNdjsonRecord;
}

const YES_NO_COLUMNS = new Set<ForceExportColumn>([
  'da_marker',
  'victim_supports_action',
  'suspect_identified',
  'thrive_recorded',
  'victims_voice_recorded',
]);

/** Rows per serialised chunk: big enough to keep per-call overhead low, small enough to stay flat. */
const ROWS_PER_CHUNK = 1000;

/**
 * The file's text in chunks. The CSV is written by csv-stringify a chunk at a time with the header
 * first, which gives the same bytes as stringifying every row at once (each record ends in "\n").
 */
function* exportChunks(options: SyntheticOptions, format: SyntheticExportFormat): Generator<string> {
  const rows = syntheticDecisionRows(options);
  if (format === 'force-csv') yield stringify([FORCE_EXPORT_HEADER]);
  let batch: SyntheticRow[] = [];
  const serialise = (records: SyntheticRow[]) =>
    format === 'force-csv'
      ? stringify(records.map((row) => FORCE_EXPORT_HEADER.map((column) => row[column])))
      : records.map((row) => `${JSON.stringify(toNdjsonRecord(row))}\n`).join('');
  for (const row of rows) {
    batch.push(row);
    if (batch.length === ROWS_PER_CHUNK) {
      yield serialise(batch);
      batch = [];
    }
  }
  if (batch.length > 0) yield serialise(batch);
}

/** A whole synthetic force export as a CSV string (header included), for small files and tests. */
export function syntheticForceExport(options: SyntheticOptions): string {
  return [...exportChunks(options, 'force-csv')].join('');
}

export interface SyntheticExportFileOptions extends SyntheticOptions {
  readonly format: SyntheticExportFormat;
  /** Path of the file to (over)write. */
  readonly out: string;
}

/**
 * Streams a synthetic export to a file. The pipeline pulls the next chunk only when the file stream
 * has room for it, so memory stays flat whatever the count. Resolves once the file is closed.
 */
export async function writeSyntheticExport(
  options: SyntheticExportFileOptions,
): Promise<{ rows: number; bytes: number }> {
  checkOptions(options);
  if (options.format !== 'force-csv' && options.format !== 'force-ndjson') {
    throw new RangeError(`format must be force-csv or force-ndjson, got ${String(options.format)}`);
  }
  let bytes = 0;
  const counted = function* (chunks: Iterable<string>) {
    for (const chunk of chunks) {
      bytes += Buffer.byteLength(chunk, 'utf8');
      yield chunk;
    }
  };
  await pipeline(
    Readable.from(counted(exportChunks(options, options.format))),
    createWriteStream(options.out, { encoding: 'utf8' }),
  );
  return { rows: options.count, bytes };
}
