import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BAILED_WITH_CONDITIONS_SHARE,
  CUSTODY_COLUMN,
  CUSTODY_TABLE,
  OFFENCE_GROUP_MIX,
  OUTCOME_MIX,
  type SyntheticRow,
  syntheticDecisionRows,
  syntheticForceExport,
  toNdjsonRecord,
  writeSyntheticExport,
} from '../../local/synthetic-data.ts';
import { FORCE_EXPORT_HEADER, parseForceExportRow } from '../../shared/imports/force-export.ts';

/** The board paper's custody table (para 42), per cent of persons in custody, as printed. */
const PAPER_CUSTODY_TABLE = {
  stalking_harassment_malicious_communications: { charged: 10, bailed: 18, rui: 25, oocd: 3, nfa: 28 },
  rape: { charged: 4, bailed: 29, rui: 30, oocd: 0, nfa: 14 },
  domestic_abuse: { charged: 7, bailed: 15, rui: 18, oocd: 3, nfa: 47 },
};

const SAMPLE_SIZE = 40_000;
const rows: SyntheticRow[] = [...syntheticDecisionRows({ count: SAMPLE_SIZE, seed: 2022 })];
const groups = Object.keys(OFFENCE_GROUP_MIX) as (keyof typeof OFFENCE_GROUP_MIX)[];
const rowsOf = (group: string) => rows.filter((row) => row.offence_group === group);
const shareOf = (subset: readonly SyntheticRow[], predicate: (row: SyntheticRow) => boolean) =>
  subset.filter(predicate).length / subset.length;
const nationalOf = (code: string) => code.replace(/[A-Z]$/, '');

/**
 * Checks an observed share against an expected one, within four binomial standard errors (and at
 * least half a point), so the bound follows the sample size rather than a guessed constant.
 */
function expectShareNear(observed: number, expected: number, sampleSize: number, label: string): void {
  const tolerance = Math.max(0.005, 4 * Math.sqrt((expected * (1 - expected)) / sampleSize));
  expect(
    Math.abs(observed - expected),
    `${label}: ${observed.toFixed(4)} vs ${expected}`,
  ).toBeLessThanOrEqual(tolerance);
}

describe('determinism', () => {
  it('gives byte-identical output for the same options, and different output for another seed', () => {
    const first = syntheticForceExport({ count: 500, seed: 11 });
    expect(syntheticForceExport({ count: 500, seed: 11 })).toBe(first);
    expect(syntheticForceExport({ count: 500, seed: 12 })).not.toBe(first);
    expect(syntheticForceExport({ count: 500, seed: 11, until: new Date('2026-09-30T00:00:00Z') })).toBe(
      first,
    );
  });

  it('extends a shorter file rather than reshuffling it', () => {
    const short = syntheticForceExport({ count: 100, seed: 3 });
    expect(syntheticForceExport({ count: 300, seed: 3 }).startsWith(short)).toBe(true);
  });

  it('pins the first row of a known seed, so a change in the generator is noticed', () => {
    const [first] = syntheticDecisionRows({ count: 1, seed: 1 });
    expect(first).toMatchObject({
      crime_reference: 'SYN/278561/25',
      offence_group: 'rape',
      outcome_code: '16',
      decision_date: '2026-09-28',
      unit: 'PPU East',
    });
  });
});

describe('the CSV the importer reads', () => {
  const csv = syntheticForceExport({ count: 2000, seed: 99 });
  const parsed = parse(csv, { columns: true }) as Record<string, string>[];

  it('has the importer’s header, one line per decision and no line break inside a field', () => {
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(FORCE_EXPORT_HEADER.join(','));
    expect(lines).toHaveLength(2001);
    expect(parsed).toHaveLength(2000);
    expect(csv.endsWith('\n')).toBe(true);
  });

  it('round-trips through CSV to the row objects the generator yields', () => {
    expect(parsed).toEqual([...syntheticDecisionRows({ count: 2000, seed: 99 })]);
  });

  it('passes the importer’s row parser on every row', () => {
    const rejected = rows
      .map((row, index) => ({ index, result: parseForceExportRow(row) }))
      .filter(({ result }) => !result.ok);
    expect(rejected.slice(0, 3)).toEqual([]);
  });

  it('holds only the header for zero decisions', () => {
    expect(syntheticForceExport({ count: 0, seed: 1 })).toBe(`${FORCE_EXPORT_HEADER.join(',')}\n`);
  });

  it('refuses counts it cannot make unique, and nonsense options', () => {
    expect(() => syntheticForceExport({ count: 1_000_001, seed: 1 })).toThrow(RangeError);
    expect(() => syntheticForceExport({ count: -1, seed: 1 })).toThrow(RangeError);
    expect(() => syntheticForceExport({ count: 1.5, seed: 1 })).toThrow(RangeError);
    expect(() => syntheticDecisionRows({ count: 1, seed: Number.NaN })).toThrow(RangeError);
    expect(() => syntheticForceExport({ count: 1, seed: 1, until: new Date('not a date') })).toThrow(
      RangeError,
    );
  });
});

describe('proportions on 40,000 decisions', () => {
  it('mixes offence groups as declared, harassment the largest', () => {
    for (const group of groups) {
      expectShareNear(
        shareOf(rows, (row) => row.offence_group === group),
        OFFENCE_GROUP_MIX[group] / 100,
        SAMPLE_SIZE,
        group,
      );
    }
    const counts = groups.map((group) => rowsOf(group).length);
    expect(Math.max(...counts)).toBe(rowsOf('harassment').length);
  });

  it('marks DA at the board paper’s rates: stalking 90%, harassment 22.5%, other DA always', () => {
    const stalking = rowsOf('stalking');
    const harassment = rowsOf('harassment');
    expectShareNear(
      shareOf(stalking, (row) => row.da_marker === 'Y'),
      0.9,
      stalking.length,
      'stalking',
    );
    expectShareNear(
      shareOf(harassment, (row) => row.da_marker === 'Y'),
      0.225,
      harassment.length,
      'harassment',
    );
    expect(shareOf(rowsOf('other_domestic_abuse'), (row) => row.da_marker === 'Y')).toBe(1);
  });

  it('keeps positive outcomes at the paper’s low rates: stalking 3.2%, harassment 2.1%', () => {
    const positive = (row: SyntheticRow) => ['1', '3', '8'].includes(nationalOf(row.outcome_code));
    const stalking = rowsOf('stalking');
    const harassment = rowsOf('harassment');
    expectShareNear(shareOf(stalking, positive), 0.032, stalking.length, 'stalking');
    expectShareNear(shareOf(harassment, positive), 0.021, harassment.length, 'harassment');
    expect(shareOf(rowsOf('rape'), (row) => row.outcome_code === '1')).toBeLessThan(0.06);
  });

  it('draws each group’s outcome codes from its declared mix, mostly NFA and filing outcomes', () => {
    for (const group of groups) {
      const subset = rowsOf(group);
      const mix = OUTCOME_MIX[group];
      const total = Object.values(mix).reduce((sum, weight) => sum + weight, 0);
      expect(total).toBeCloseTo(100, 6);
      for (const [code, weight] of Object.entries(mix)) {
        expectShareNear(
          shareOf(subset, (row) => row.outcome_code === code),
          weight / 100,
          subset.length,
          `${group} ${code}`,
        );
      }
      const nfaOrFiled = shareOf(subset, (row) =>
        ['9', '10', '14', '15', '16', '18', '21'].includes(nationalOf(row.outcome_code)),
      );
      expect(nfaOrFiled, group).toBeGreaterThan(0.9);
    }
  });

  it('carries local variants 16A, 3A and 21B in about 2.5% of decisions', () => {
    for (const variant of ['16A', '3A', '21B']) {
      expect(
        rows.some((row) => row.outcome_code === variant),
        variant,
      ).toBe(true);
    }
    expectShareNear(
      shareOf(rows, (row) => /[A-Z]$/.test(row.outcome_code)),
      0.025,
      SAMPLE_SIZE,
      'local variants',
    );
  });

  it('follows the paper’s custody table for bail, RUI and NFA from custody, per group', () => {
    expect(CUSTODY_TABLE).toEqual(
      Object.fromEntries(
        Object.entries(PAPER_CUSTODY_TABLE).map(([column, { charged, bailed, rui, oocd, nfa }]) => [
          column,
          {
            charged,
            bailed,
            released_under_investigation: rui,
            out_of_court_disposal: oocd,
            no_further_action: nfa,
          },
        ]),
      ),
    );
    for (const group of groups) {
      const subset = rowsOf(group);
      const column = PAPER_CUSTODY_TABLE[CUSTODY_COLUMN[group]];
      const custody = (disposal: string) => (row: SyntheticRow) => row.custody_disposal === disposal;
      const bailed = (row: SyntheticRow) => row.custody_disposal.startsWith('bailed_');
      expectShareNear(shareOf(subset, bailed), column.bailed / 100, subset.length, `${group} bailed`);
      expectShareNear(
        shareOf(subset, custody('released_under_investigation')),
        column.rui / 100,
        subset.length,
        `${group} RUI`,
      );
      expectShareNear(
        shareOf(subset, custody('no_further_action')),
        column.nfa / 100,
        subset.length,
        `${group} NFA`,
      );
      // Charged and OOCD follow the outcomes (1; 3, 8, 3A) instead: see CUSTODY_TABLE's comment.
      expect(shareOf(subset, custody('charged'))).toBe(shareOf(subset, (row) => row.outcome_code === '1'));
    }
  });

  it('splits bail three to one in favour of conditions, as assumed', () => {
    const bailed = rows.filter((row) => row.custody_disposal.startsWith('bailed_'));
    const withConditions = shareOf(bailed, (row) => row.custody_disposal === 'bailed_with_conditions');
    expectShareNear(withConditions, BAILED_WITH_CONDITIONS_SHARE, bailed.length, 'with conditions');
  });

  it('puts protective measures mostly on DA and stalking cases, and SPOs only on stalking', () => {
    const withMeasures = rows.filter((row) => row.protective_measures !== 'none');
    const daOrStalking = shareOf(
      withMeasures,
      (row) => row.da_marker === 'Y' || row.offence_group === 'stalking',
    );
    expect(daOrStalking).toBeGreaterThan(0.8);
    expect(
      rows
        .filter((row) => row.protective_measures.includes('spo'))
        .every((row) => row.offence_group === 'stalking'),
    ).toBe(true);
    expect(shareOf(rowsOf('stalking'), (row) => row.protective_measures.includes('spo'))).toBeGreaterThan(
      0.05,
    );
  });

  it('uses the deciding units each group would', () => {
    const unitShare = (group: string, prefix: string) =>
      shareOf(
        rowsOf(group).filter((row) => row.deciding_body === 'police'),
        (row) => row.unit.startsWith(prefix),
      );
    expect(unitShare('rape', 'PPU') + unitShare('rape', 'FCID')).toBeGreaterThan(0.9);
    expect(unitShare('stalking', 'FCID')).toBeGreaterThan(0.4);
    expect(unitShare('harassment', 'FCID') + unitShare('harassment', 'NPU')).toBeGreaterThan(0.85);
    expect(unitShare('other_domestic_abuse', 'PPU') + unitShare('other_domestic_abuse', 'NPU')).toBe(1);
  });
});

/** The crime references of the rows that break a rule: the list is empty when all keep it. */
const breaking = (rule: (row: SyntheticRow) => boolean, subset: readonly SyntheticRow[] = rows) =>
  subset.filter((row) => !rule(row)).map((row) => row.crime_reference);

describe('consistency within each decision', () => {
  it('ties custody to the outcome: 1 is charged, 3/8 out of court, 14/18 not arrested', () => {
    expect(breaking((row) => (row.custody_disposal === 'charged') === (row.outcome_code === '1'))).toEqual(
      [],
    );
    expect(
      breaking(
        (row) =>
          (row.custody_disposal === 'out_of_court_disposal') ===
          ['3', '8'].includes(nationalOf(row.outcome_code)),
      ),
    ).toEqual([]);
    expect(
      breaking((row) => !['14', '18'].includes(row.outcome_code) || row.custody_disposal === 'not_arrested'),
    ).toEqual([]);
  });

  it('follows the outcome definitions for suspect and victim', () => {
    expect(
      breaking(
        (row) => (row.suspect_identified === 'N') === ['14', '18'].includes(nationalOf(row.outcome_code)),
      ),
    ).toEqual([]);
    expect(
      breaking(
        (row) => !['14', '16'].includes(nationalOf(row.outcome_code)) || row.victim_supports_action === 'N',
      ),
    ).toEqual([]);
    expect(breaking((row) => row.outcome_code !== '15' || row.victim_supports_action === 'Y')).toEqual([]);
  });

  it('gives outcome 9 to the CPS, police-only outcomes to the police, CPS decisions to the CPS unit', () => {
    const cpsOutcomes = new Set(['1', '9', '15', '16']);
    expect(breaking((row) => row.outcome_code !== '9' || row.deciding_body === 'cps')).toEqual([]);
    expect(
      breaking((row) => cpsOutcomes.has(nationalOf(row.outcome_code)) || row.deciding_body === 'police'),
    ).toEqual([]);
    expect(breaking((row) => (row.unit === 'CPS RASSO Unit') === (row.deciding_body === 'cps'))).toEqual([]);
    const rapeCharges = rowsOf('rape').filter((row) => row.outcome_code === '1');
    expect(breaking((row) => row.deciding_body === 'cps', rapeCharges)).toEqual([]);
    expect(rows.some((row) => row.deciding_body === 'cps' && row.outcome_code === '16')).toBe(true);
    expect(rows.some((row) => row.deciding_body === 'police' && row.outcome_code === '16')).toBe(true);
  });

  it('uses pseudonymous ids, each decision-maker always in the same unit', () => {
    expect(breaking((row) => /^DM-00(0[1-9]|[1-5]\d|60)$/.test(row.decision_maker_id))).toEqual([]);
    expect(breaking((row) => /^OIC-0\d{3}$/.test(row.officer_in_case_id))).toEqual([]);
    const unitsOfDecisionMaker = new Map<string, Set<string>>();
    for (const row of rows) {
      const units = unitsOfDecisionMaker.get(row.decision_maker_id) ?? new Set<string>();
      unitsOfDecisionMaker.set(row.decision_maker_id, units.add(row.unit));
    }
    expect(unitsOfDecisionMaker.size).toBe(60);
    expect([...unitsOfDecisionMaker].filter(([, units]) => units.size > 1)).toEqual([]);
  });

  it('records protective measures only against a known suspect, DA orders only with the DA marker', () => {
    const daOnly = ['dvpn', 'dvpo', 'dapo', 'non_molestation_order'];
    const withMeasures = rows.filter((row) => row.protective_measures !== 'none');
    const measuresOf = (row: SyntheticRow) => row.protective_measures.split(';');
    expect(breaking((row) => row.suspect_identified === 'Y', withMeasures)).toEqual([]);
    expect(
      breaking(
        (row) => row.da_marker === 'Y' || !measuresOf(row).some((m) => daOnly.includes(m)),
        withMeasures,
      ),
    ).toEqual([]);
    expect(breaking((row) => !measuresOf(row).includes('dvpo') || measuresOf(row).includes('dvpn'))).toEqual(
      [],
    );
    expect(breaking((row) => new Set(measuresOf(row)).size === measuresOf(row).length)).toEqual([]);
  });

  it('dates decisions in the 18 months up to `until`, after the year in the crime reference', () => {
    const until = new Date('2025-06-15T00:00:00Z');
    const shifted = [...syntheticDecisionRows({ count: 5000, seed: 4, until })];
    const [earliest = '', ...later] = shifted.map((row) => row.decision_date).sort();
    expect(earliest >= '2023-12-15' && earliest < '2024-01-15', earliest).toBe(true);
    expect(later.at(-1)).toBe('2025-06-15');
    const [earliestByDefault = '', ...laterByDefault] = rows.map((row) => row.decision_date).sort();
    expect(earliestByDefault >= '2025-03-30', earliestByDefault).toBe(true);
    expect(laterByDefault.at(-1)).toBe('2026-09-30');
    const recordedBeforeDecided = (row: SyntheticRow) => {
      const match = /^SYN\/\d{6}\/(\d{2})$/.exec(row.crime_reference);
      const recordedYear = 2000 + Number(match?.[1]);
      const decisionYear = Number(row.decision_date.slice(0, 4));
      return match !== null && recordedYear <= decisionYear && recordedYear >= decisionYear - 2;
    };
    expect(breaking(recordedBeforeDecided, [...rows, ...shifted])).toEqual([]);
  });

  it('never holds the same crime reference, let alone the same decision, twice', () => {
    expect(new Set(rows.map((row) => row.crime_reference)).size).toBe(rows.length);
    const identity = (row: SyntheticRow) =>
      [row.crime_reference, row.deciding_body, row.outcome_code, row.decision_date].join('|');
    expect(new Set(rows.map(identity)).size).toBe(rows.length);
  });

  it('writes a redacted, obviously synthetic summary that agrees with the row', () => {
    const agrees = (row: SyntheticRow) => {
      const { summary } = row;
      const identified = row.suspect_identified === 'Y';
      return (
        summary.startsWith('Synthetic record.') &&
        !/[\r\n]/.test(summary) &&
        summary.includes('did not identify a suspect') === !identified &&
        (identified || !/Suspect (arrested|interviewed)/.test(summary)) &&
        summary.includes('bailed without conditions') ===
          (row.custody_disposal === 'bailed_without_conditions') &&
        summary.includes('released under investigation') ===
          (row.custody_disposal === 'released_under_investigation') &&
        (row.victim_supports_action === 'N' || !/does not support|no longer support/.test(summary)) &&
        (row.victim_supports_action === 'Y' || !/victim supports/i.test(summary)) &&
        (row.deciding_body === 'cps' || !/The CPS (decided|found|authorised)/.test(summary)) &&
        summary.includes('No THRIVE assessment') === (row.thrive_recorded === 'N')
      );
    };
    expect(breaking(agrees)).toEqual([]);
    expect(shareOf(rows, (row) => row.summary.includes('[REDACTED]'))).toBeGreaterThan(0.8);
  });
});

describe('streaming to a file', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-synthetic-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes exactly what syntheticForceExport returns, and says how much', async () => {
    const options = { count: 2500, seed: 8, until: new Date('2026-03-31T00:00:00Z') };
    const out = path.join(directory, 'export.csv');
    const written = await writeSyntheticExport({ ...options, format: 'force-csv', out });
    const expected = syntheticForceExport(options);
    expect(await readFile(out, 'utf8')).toBe(expected);
    expect(written).toEqual({ rows: 2500, bytes: Buffer.byteLength(expected) });
    expect((await stat(out)).size).toBe(written.bytes);
  });

  it('writes NDJSON with the CSV’s keys, booleans for Y/N and an array of measures', async () => {
    const out = path.join(directory, 'export.ndjson');
    const written = await writeSyntheticExport({ count: 2500, seed: 8, format: 'force-ndjson', out });
    const text = await readFile(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(written).toEqual({ rows: 2500, bytes: Buffer.byteLength(text) });
    expect(lines).toHaveLength(2500);
    const expectedRows = [...syntheticDecisionRows({ count: 2500, seed: 8 })];
    const booleans = [
      'da_marker',
      'victim_supports_action',
      'suspect_identified',
      'thrive_recorded',
      'victims_voice_recorded',
    ];
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const typedAsStated = (record: Record<string, unknown>, index: number) => {
      const row = expectedRows[index] as SyntheticRow;
      const measures = record.protective_measures;
      return (
        Object.keys(record).join() === FORCE_EXPORT_HEADER.join() &&
        FORCE_EXPORT_HEADER.every((column) =>
          booleans.includes(column)
            ? record[column] === (row[column] === 'Y')
            : column === 'protective_measures' || record[column] === row[column],
        ) &&
        Array.isArray(measures) &&
        measures.join(';') === (row.protective_measures === 'none' ? '' : row.protective_measures)
      );
    };
    expect(records.flatMap((record, index) => (typedAsStated(record, index) ? [] : [lines[index]]))).toEqual(
      [],
    );
    expect(records).toEqual(expectedRows.map(toNdjsonRecord));
    expect(records.filter((record) => !parseForceExportRow(record).ok)).toEqual([]);
    expect(lines.some((line) => line.includes('"protective_measures":[]'))).toBe(true);
    expect(lines.some((line) => /"protective_measures":\["[a-z_]+","/.test(line))).toBe(true);
  });

  it('fails cleanly when the file cannot be written', async () => {
    const out = path.join(directory, 'no-such-directory', 'export.csv');
    await expect(writeSyntheticExport({ count: 10, seed: 1, format: 'force-csv', out })).rejects.toThrow(
      /ENOENT/,
    );
    await expect(
      writeSyntheticExport({
        count: 10,
        seed: 1,
        format: 'xml' as 'force-csv',
        out: path.join(directory, 'x'),
      }),
    ).rejects.toThrow(RangeError);
  });
});
