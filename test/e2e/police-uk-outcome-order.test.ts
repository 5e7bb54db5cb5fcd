/**
 * data.police.uk outcomes in any order: a year of monthly street and outcomes files imported
 * forwards and backwards (each file's rows reversed too) gives every crime the same decision, an
 * outcome published before its crime is imported is kept until the crime arrives, and within a
 * month the documented rule, not the file order, picks among a crime's outcomes. Then a crime's
 * street row and its outcomes written at once, many rounds.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_TABLE_INDEXES } from '../../shared/data/keys.ts';
import { type Decision, DecisionSchema, toDecision } from '../../shared/decisions/decision.ts';
import { applyOutcome, getDecision, putPoliceUkDecision } from '../../shared/decisions/decision-store.ts';
import {
  outcomeRank,
  type PoliceUkOutcomeObservation,
  recordedOutcome,
} from '../../shared/decisions/police-uk-outcomes.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { type MonthFiles, monthFiles, PINNED_CRIMES, syntheticCrimes } from '../support/police-uk-year.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => stack?.close());

async function importMonth(files: MonthFiles): Promise<Record<string, unknown>> {
  const created = await stack.api('POST', '/imports', {
    as: 'admin',
    body: { format: 'police-uk', fileName: 'street.csv', outcomesFileName: 'outcomes.csv' },
  });
  expect(created.status).toBe(201);
  const importId = String(created.body.importId);
  await fetch(String(created.body.uploadUrl), { method: 'PUT', body: files.street });
  await fetch(String(created.body.outcomesUploadUrl), { method: 'PUT', body: files.outcomes });
  expect((await stack.api('POST', `/imports/${importId}/start`, { as: 'admin' })).status).toBe(202);
  await stack.runtime.waitForExecution('ImportDecisions', importId);
  return (await stack.api('GET', `/imports/${importId}`, { as: 'admin' })).body;
}

/** Each crime's decision (by its LSOA code), without what differs between two imports of it. */
type Compared = Omit<Decision, 'decisionId' | 'crimeReference' | 'provenance' | 'importedAt'>;

interface ImportedYear {
  readonly records: Record<string, unknown>[];
  readonly decisions: Map<string, Compared>;
  /** Each decision's entry in the population index, next to the decision's own fields. */
  readonly populationEntries: { stored: Record<string, unknown>; indexed: Record<string, unknown> }[];
}

async function importYear(files: readonly MonthFiles[]): Promise<ImportedYear> {
  const records: Record<string, unknown>[] = [];
  for (const month of files) records.push(await importMonth(month));
  const decisions = new Map<string, Compared>();
  const populationEntries: ImportedYear['populationEntries'] = [];
  for (const record of records) {
    for (const item of await stack.decisions(String(record.importId))) {
      const { decisionId, crimeReference, provenance, importedAt, ...compared } = DecisionSchema.parse(item);
      decisions.set(String(compared.lsoaCode), compared);
      const { Items = [] } = await stack.documents.send(
        new QueryCommand({
          TableName: stack.runtime.physicalName('TablesMain'),
          IndexName: MAIN_TABLE_INDEXES.population,
          KeyConditionExpression: 'popPk = :partition AND popSk = :decision',
          ExpressionAttributeValues: { ':partition': item.popPk, ':decision': decisionId },
        }),
      );
      populationEntries.push({ stored: item, indexed: Items[0] ?? {} });
    }
  }
  return { records, decisions, populationEntries };
}

describe('a year of data.police.uk months', () => {
  const crimes = syntheticCrimes({ crimesPerMonth: 12, seed: 2025 });
  const inScope = crimes.filter((crime) => crime.crimeType !== 'Burglary');
  let forwards: ImportedYear;
  let backwards: ImportedYear;
  beforeAll(async () => {
    forwards = await importYear(monthFiles(crimes, { run: 'forwards' }));
    backwards = await importYear(monthFiles(crimes, { run: 'backwards', reversedRows: true }).reverse());
  }, 300_000);

  it('imports every crime in scope, whichever way round', () => {
    expect(forwards.records.map((record) => record.status)).toEqual(Array(12).fill('COMPLETED'));
    expect(backwards.records.map((record) => record.status)).toEqual(Array(12).fill('COMPLETED'));
    const expected = inScope.map((crime) => crime.lsoaCode).sort();
    expect([...forwards.decisions.keys()].sort()).toEqual(expected);
    expect([...backwards.decisions.keys()].sort()).toEqual(expected);
  });

  it('gives each crime the same decision imported forwards and backwards', () => {
    const differing = inScope.filter(
      ({ lsoaCode }) =>
        JSON.stringify(forwards.decisions.get(lsoaCode)) !==
        JSON.stringify(backwards.decisions.get(lsoaCode)),
    );
    expect(
      differing.map(({ lsoaCode }) => [forwards.decisions.get(lsoaCode), backwards.decisions.get(lsoaCode)]),
    ).toEqual([]);
    expect(Object.fromEntries(backwards.decisions)).toEqual(Object.fromEntries(forwards.decisions));
  });

  it('keeps outcomes of crimes not imported yet, and applies them when the crime arrives', () => {
    // Backwards, every month's outcomes of earlier crimes arrive before those crimes.
    const kept = backwards.records.reduce(
      (total, record) => total + Number((record.outcomeCounts as { unmatched: number }).unmatched),
      0,
    );
    expect(kept).toBeGreaterThan(0);
    const december = PINNED_CRIMES.find((crime) => crime.outcomes.every((o) => o.month === '2025-12'));
    expect(backwards.decisions.get(String(december?.lsoaCode))).toMatchObject({
      outcomeCategory: 'Formal action is not in the public interest',
      outcomeMonth: '2025-12',
      decisionType: 'police_nfa',
      decisionDate: '2025-03-01',
    });
  });

  it('picks the latest month, then the later stage, then the outcomes file, then the category text', () => {
    for (const year of [forwards, backwards]) {
      expect(
        PINNED_CRIMES.map((crime) => [crime.lsoaCode, year.decisions.get(crime.lsoaCode)?.outcomeCategory]),
      ).toEqual(PINNED_CRIMES.map((crime) => [crime.lsoaCode, crime.expected]));
    }
  });

  it('gives each crime the greatest of its published outcomes, and the decision type of that outcome', () => {
    for (const crime of inScope) {
      const observations: PoliceUkOutcomeObservation[] = [
        { category: crime.lastOutcomeCategory, month: crime.month, file: 'street' },
        ...crime.outcomes.map((outcome) => ({ ...outcome, file: 'outcomes' as const })),
      ];
      const greatest = observations.reduce((a, b) => (outcomeRank(b) > outcomeRank(a) ? b : a));
      const { outcomeRank: _rank, ...expected } = recordedOutcome(greatest);
      expect(forwards.decisions.get(crime.lsoaCode)).toMatchObject({
        ...expected,
        decisionDate: `${crime.month}-01`,
      });
    }
  });

  it('keeps each decision’s population index entry on its current outcome', () => {
    for (const { stored, indexed } of [...forwards.populationEntries, ...backwards.populationEntries]) {
      expect(indexed).toMatchObject({
        decisionType: stored.decisionType,
        outcomeCategory: stored.outcomeCategory,
        decidingBody: stored.decidingBody,
      });
    }
    const types = new Set(backwards.populationEntries.map(({ indexed }) => indexed.decisionType));
    expect([...types].sort()).toEqual(['cps_nfa', 'filed', 'other', 'police_nfa']);
  });
});

describe('a crime’s street row and its outcomes at once', () => {
  const ROUNDS = 20;
  const observations: PoliceUkOutcomeObservation[] = [
    { month: '2025-02', category: 'Under investigation', file: 'outcomes' },
    { month: '2025-04', category: 'Suspect charged', file: 'outcomes' },
    { month: '2025-04', category: 'Unable to prosecute suspect', file: 'outcomes' },
    { month: '2025-04', category: 'Status update unavailable', file: 'outcomes' },
    { month: '2025-03', category: 'Awaiting court outcome', file: 'outcomes' },
  ];
  const street: PoliceUkOutcomeObservation = { month: '2025-02', category: '', file: 'street' };

  function decisionOf(round: number): Decision {
    const record = {
      source: 'police-uk' as const,
      crimeReference: `crm_race${String(round).padStart(16, '0')}`,
      offenceGroup: 'violence_and_sexual_offences' as const,
      decidingBody: 'police' as const,
      decisionDate: '2025-02-01',
      decisionDatePrecision: 'month' as const,
      outcomeCategory: street.category,
      outcomeMonth: street.month,
    };
    return toDecision(
      record,
      `dec_race${round}`,
      { importId: 'imp_race', sourceLine: 2 },
      new Date().toISOString(),
    );
  }

  it('ends, every round and with every write sent twice, on the greatest outcome', async () => {
    const expected = recordedOutcome(observations[2] as PoliceUkOutcomeObservation);
    for (let round = 0; round < ROUNDS; round++) {
      const decision = decisionOf(round);
      const writes = [
        () => putPoliceUkDecision(decision, recordedOutcome(street)),
        ...observations.map(
          (observation) => () => applyOutcome(decision.decisionId, recordedOutcome(observation)),
        ),
      ];
      const shuffled = [...writes, ...writes].sort(() => Math.random() - 0.5);
      await Promise.all(
        shuffled.map(async (write) => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
          await write();
        }),
      );
      const { outcomeRank: _rank, ...outcome } = expected;
      expect(await getDecision(decision.decisionId), `round ${round}`).toMatchObject({
        ...outcome,
        decisionDate: '2025-02-01',
        provenance: { importId: 'imp_race', sourceLine: 2 },
      });
    }
  });
});
