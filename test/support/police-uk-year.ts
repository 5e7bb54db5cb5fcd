/**
 * A synthetic year of data.police.uk files: for each month a street file (one row per crime, with
 * its last outcome category) and an outcomes file (every outcome published that month, for crimes
 * of that month or earlier), in the documented columns. A crime's outcomes come in later months,
 * several in one month at times; some crimes are out of scope or anti-social behaviour. Each crime
 * has its own LSOA code, so the decisions of two imports of the year can be matched crime by crime
 * whatever their Crime IDs.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { seededRandom } from '../../local/synthetic-data.ts';
import { POLICE_UK_OUTCOMES_HEADER, POLICE_UK_STREET_HEADER } from '../../shared/imports/police-uk.ts';

export const YEAR_MONTHS = Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`);

/** Outcomes a crime moves through, from every stage, and one police.uk does not publish (yet). */
const CATEGORIES = [
  'Under investigation',
  'Status update unavailable',
  'Unable to prosecute suspect',
  'Investigation complete; no suspect identified',
  'Formal action is not in the public interest',
  'Further investigation is not in the public interest',
  'Further action is not in the public interest',
  'Action to be taken by another organisation',
  'Suspect charged',
  'Local resolution',
  'Awaiting court outcome',
  'Offender fined',
  'Defendant found not guilty',
  'A brand new category',
];

const CRIME_TYPES = [
  'Violence and sexual offences',
  'Violence and sexual offences',
  'Violence and sexual offences',
  'Public order',
  'Public order',
  'Burglary',
];

export interface SyntheticCrime {
  /** The crime's LSOA code: unique to it. */
  readonly lsoaCode: string;
  readonly month: string;
  readonly crimeType: string;
  readonly lastOutcomeCategory: string;
  readonly outcomes: readonly { readonly month: string; readonly category: string }[];
}

/** A crime of 2025-03 whose outcome the rule decides: its last outcome category, its outcomes rows. */
function pinned(
  n: number,
  lastOutcomeCategory: string,
  outcomes: readonly (readonly [month: string, category: string])[],
  expected: string,
): SyntheticCrime & { readonly expected: string } {
  return {
    lsoaCode: `E0190000${n}`,
    month: '2025-03',
    crimeType: n % 2 ? 'Violence and sexual offences' : 'Public order',
    lastOutcomeCategory,
    outcomes: outcomes.map(([month, category]) => ({ month, category })),
    expected,
  };
}

/**
 * Crimes whose outcome the documented rule decides: the latest month wins; within a month the
 * later stage; within a stage the outcomes file over the street file, then the category text.
 */
export const PINNED_CRIMES = [
  pinned(
    1,
    'Under investigation',
    [
      ['2025-03', 'Under investigation'],
      ['2025-03', 'Unable to prosecute suspect'],
    ],
    'Unable to prosecute suspect',
  ),
  pinned(
    2,
    '',
    [
      ['2025-06', 'Awaiting court outcome'],
      ['2025-06', 'Suspect charged'],
    ],
    'Awaiting court outcome',
  ),
  pinned(
    3,
    'Under investigation',
    [
      ['2025-05', 'Unable to prosecute suspect'],
      ['2025-05', 'Investigation complete; no suspect identified'],
    ],
    'Unable to prosecute suspect',
  ),
  pinned(
    4,
    'Under investigation',
    [
      ['2025-09', 'Under investigation'],
      ['2025-04', 'Unable to prosecute suspect'],
    ],
    'Under investigation',
  ),
  pinned(
    5,
    'Unable to prosecute suspect',
    [['2025-03', 'Under investigation']],
    'Unable to prosecute suspect',
  ),
  pinned(
    6,
    'Investigation complete; no suspect identified',
    [['2025-03', 'Further investigation is not in the public interest']],
    'Further investigation is not in the public interest',
  ),
  pinned(
    7,
    'Under investigation',
    [['2025-12', 'Formal action is not in the public interest']],
    'Formal action is not in the public interest',
  ),
];

export function syntheticCrimes(options: { crimesPerMonth: number; seed: number }): SyntheticCrime[] {
  const random = seededRandom(options.seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const crimes: SyntheticCrime[] = [...PINNED_CRIMES];
  YEAR_MONTHS.forEach((month, monthIndex) => {
    for (let i = 0; i < options.crimesPerMonth; i++) {
      const outcomes: { month: string; category: string }[] = [];
      for (let n = Math.floor(random() * 4); n > 0; n--) {
        const at = YEAR_MONTHS[monthIndex + Math.floor(random() * (12 - monthIndex))] as string;
        const category = pick(CATEGORIES);
        // A month publishes a category once per crime.
        if (!outcomes.some((o) => o.month === at && o.category === category))
          outcomes.push({ month: at, category });
      }
      crimes.push({
        lsoaCode: `E01${String(crimes.length).padStart(6, '0')}`,
        month,
        crimeType: pick(CRIME_TYPES),
        lastOutcomeCategory:
          outcomes.find((o) => o.month === month)?.category ?? pick(['', 'Under investigation']),
        outcomes,
      });
    }
  });
  return crimes;
}

/** The Crime ID police.uk would publish for a crime: 64 hex digits, different in each import run. */
export const crimeIdOf = (crime: SyntheticCrime, run: string) =>
  createHash('sha256').update(`${run}/${crime.lsoaCode}`).digest('hex');

export interface MonthFiles {
  readonly month: string;
  readonly street: string;
  readonly outcomes: string;
}

/** The street and outcomes files of each month, their rows in file order or reversed. */
export function monthFiles(
  crimes: readonly SyntheticCrime[],
  options: { run: string; reversedRows?: boolean },
): MonthFiles[] {
  const order = <T>(rows: T[]) => (options.reversedRows ? rows.reverse() : rows);
  const place = (crime: SyntheticCrime) => [
    'Synthetic Police',
    'Synthetic Police',
    '-1.000000',
    '52.000000',
    'On or near Synthetic Street',
    crime.lsoaCode,
    `Synthetic ${crime.lsoaCode}`,
  ];
  return YEAR_MONTHS.map((month) => {
    const street = crimes
      .filter((crime) => crime.month === month)
      .map((crime) => [
        crimeIdOf(crime, options.run),
        month,
        ...place(crime),
        crime.crimeType,
        crime.lastOutcomeCategory,
        '',
      ]);
    // Anti-social behaviour has no Crime ID and no outcome.
    street.push(['', month, ...place(crimes[0] as SyntheticCrime), 'Anti-social behaviour', '', '']);
    const outcomes = crimes.flatMap((crime) =>
      crime.outcomes
        .filter((outcome) => outcome.month === month)
        .map((outcome) => [crimeIdOf(crime, options.run), month, ...place(crime), outcome.category]),
    );
    return {
      month,
      street: stringify([[...POLICE_UK_STREET_HEADER], ...order(street)]),
      outcomes: stringify([[...POLICE_UK_OUTCOMES_HEADER], ...order(outcomes)]),
    };
  });
}
