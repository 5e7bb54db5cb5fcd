/**
 * Synthetic decisions in the force export format: realistic in shape and mix (offence groups,
 * outcome codes including local variants, custody disposals, units), reproducible from a seed,
 * and about no real person. Every reference and id is invented.
 */
import { stringify } from 'csv-stringify/sync';
import { FORCE_EXPORT_HEADER } from '../shared/imports/force-export.ts';

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

function weighted<T extends string>(random: () => number, table: Readonly<Record<T, number>>): T {
  const entries = Object.entries(table) as [T, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let pick = random() * total;
  for (const [value, weight] of entries) {
    pick -= weight;
    if (pick < 0) return value;
  }
  return (entries.at(-1) as [T, number])[0];
}

const OFFENCE_GROUPS = {
  rape: 25,
  other_serious_sexual_offence: 20,
  stalking: 15,
  harassment: 20,
  malicious_communications: 10,
  other_domestic_abuse: 10,
} as const;
const OUTCOMES = {
  '14': 8,
  '15': 10,
  '16': 32,
  '18': 8,
  '21': 5,
  '10': 3,
  '9': 5,
  '1': 10,
  '8': 4,
  '3': 3,
  '16A': 2,
  '3A': 1,
} as const;
const UNITS = {
  'PPU North': 20,
  'PPU South': 20,
  'PPU East': 15,
  FCID: 10,
  'NPU Central': 15,
  'NPU West': 20,
} as const;
const SUMMARIES = [
  'Victim reported [REDACTED] to police. Suspect interviewed; account disputed. Decision recorded with rationale.',
  'Report made via ISVA. Digital material requested. Victim withdrew support after [REDACTED].',
  'Suspect not identified after CCTV and house-to-house enquiries. Investigation closed pending new information.',
  'Pattern of contact over several months. Victim statement taken. Evidential review by supervisor.',
  'Third-party material obtained. File reviewed by CPS; charging decision recorded with reasons.',
];

export interface SyntheticOptions {
  readonly count: number;
  readonly seed: number;
  /** Decisions fall in the months before this date. */
  readonly until?: Date;
}

export function syntheticForceExport(options: SyntheticOptions): string {
  const random = seededRandom(options.seed);
  const until = (options.until ?? new Date('2026-09-30T00:00:00Z')).getTime();
  const rows: string[][] = [];
  for (let i = 0; i < options.count; i++) {
    const offenceGroup = weighted(random, OFFENCE_GROUPS);
    const outcomeCode = weighted(random, OUTCOMES);
    const decidingBody =
      outcomeCode === '9' || (outcomeCode.startsWith('1') && random() < 0.3) ? 'cps' : 'police';
    const daMarker = offenceGroup === 'other_domestic_abuse' || random() < 0.45;
    const suspectIdentified = outcomeCode !== '14' && outcomeCode !== '18';
    const victimSupports = !['14', '16', '16A'].includes(outcomeCode);
    const custody =
      outcomeCode === '1'
        ? 'charged'
        : weighted(random, {
            bailed_with_conditions: 20,
            bailed_without_conditions: 12,
            released_under_investigation: 30,
            no_further_action: 20,
            not_arrested: 18,
          });
    const day = new Date(until - Math.floor(random() * 540) * 86_400_000).toISOString().slice(0, 10);
    const measures =
      daMarker && random() < 0.3 ? weighted(random, { dvpn: 3, dvpo: 2, spo: 1, dapo: 1 }) : 'none';
    const row: Record<(typeof FORCE_EXPORT_HEADER)[number], string> = {
      crime_reference: `SYN/${String(100000 + Math.floor(random() * 899999))}/${day.slice(2, 4)}`,
      offence_group: offenceGroup,
      da_marker: daMarker ? 'Y' : 'N',
      outcome_code: outcomeCode,
      deciding_body: decidingBody,
      decision_date: day,
      unit: decidingBody === 'cps' ? 'CPS RASSO Unit' : weighted(random, UNITS),
      decision_maker_id: `DM-${String(1 + Math.floor(random() * 60)).padStart(4, '0')}`,
      officer_in_case_id: `OIC-${String(1 + Math.floor(random() * 240)).padStart(4, '0')}`,
      victim_supports_action: victimSupports ? 'Y' : 'N',
      suspect_identified: suspectIdentified ? 'Y' : 'N',
      custody_disposal: custody,
      protective_measures: measures,
      thrive_recorded: random() < 0.8 ? 'Y' : 'N',
      victims_voice_recorded: random() < 0.7 ? 'Y' : 'N',
      summary: SUMMARIES[Math.floor(random() * SUMMARIES.length)] as string,
    };
    rows.push(FORCE_EXPORT_HEADER.map((column) => row[column]));
  }
  return stringify([FORCE_EXPORT_HEADER, ...rows]);
}
