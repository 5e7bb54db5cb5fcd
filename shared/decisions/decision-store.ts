/**
 * Decisions in the main table, written once each under a deterministic id; a police.uk crime's
 * decision then follows the greatest outcome published for it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES, populationKeys } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { TransactionRefused, transactWrite } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError } from '../errors.ts';
import { pseudonym, pseudonymKey } from '../imports/pseudonymise.ts';
import { type Decision, DecisionSchema } from './decision.ts';
import type { RecordedOutcome } from './police-uk-outcomes.ts';

const DECISION_PREFIX = 'DECISION#';

/** The key of a decision's item. */
export const decisionKey = (decisionId: string) => ({
  pk: `${DECISION_PREFIX}${decisionId}`,
  sk: 'DECISION',
});

/** Every decision on one (pseudonymised) crime, through the keys-only `byCrime` index. */
export async function decisionsOfCrime(crimeReference: string): Promise<Decision[]> {
  const keys = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byCrime,
    KeyConditionExpression: 'crimeReference = :crime',
    ExpressionAttributeValues: { ':crime': crimeReference },
  });
  return Promise.all(keys.map((key) => getDecision(String(key.pk).slice(DECISION_PREFIX.length))));
}

/** The stored decision, if there is one; read consistently where a write depends on it. */
export async function findDecision(
  decisionId: string,
  { consistent = false } = {},
): Promise<Decision | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: decisionKey(decisionId), ConsistentRead: consistent }),
  );
  return Item ? DecisionSchema.parse(Item) : undefined;
}

export async function getDecision(decisionId: string): Promise<Decision> {
  const decision = await findDecision(decisionId);
  if (!decision) throw new NotFoundError(`No decision ${decisionId}`);
  return decision;
}

/** Whether two provenances are the same row of the same import: a retried chunk's own write. */
export const sameImportRow = (a: Decision['provenance'] | undefined, b: Decision['provenance']) =>
  a?.importId === b.importId && a.sourceLine === b.sourceLine;

/**
 * Puts a decision's item unless one with its id exists. `written` means this call or an earlier
 * attempt of the same import row wrote it (a retried chunk converges instead of counting its own
 * rows as duplicates); `duplicate` means the decision came from another row or another import.
 */
async function putOnce(
  decision: Decision,
  /** A police.uk decision's outcome, with its rank. */
  outcome?: RecordedOutcome,
): Promise<'written' | 'duplicate'> {
  const key = decisionKey(decision.decisionId);
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...key,
          ...populationKeys(decision.decisionId, decision.decisionDate),
          ...decision,
          ...outcome,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'written';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Item } = await documents.send(
      new GetCommand({ TableName: mainTable(), Key: key, ProjectionExpression: 'provenance' }),
    );
    const existing = Item?.provenance as Decision['provenance'] | undefined;
    return sameImportRow(existing, decision.provenance) ? 'written' : 'duplicate';
  }
}

/*
 * A police.uk crime's decision carries the greatest of the outcomes published for it (by
 * `outcomeRank`, shared/decisions/police-uk-outcomes.ts). Taking the greatest is order-free and
 * idempotent, so every outcome is one conditional write, however the files and rows arrive:
 *
 * - an outcome for a crime whose decision exists raises the decision's outcome if it is greater;
 * - an outcome for a crime not imported yet raises the crime's pending outcome instead (an item in
 *   the decision's partition), in a transaction that checks the decision is still absent;
 * - the street row writes the decision with its own last outcome category, then raises it to the
 *   pending outcome, read after the write. An outcome that came in meanwhile either found the
 *   decision (and raised it) or was pending before the write (and is read here).
 */

/** The item holding a crime's greatest outcome published before its street row was imported. */
const pendingOutcomeKey = (decisionId: string) => ({
  pk: `${DECISION_PREFIX}${decisionId}`,
  sk: 'PENDING_OUTCOME',
});

const OUTCOME_FIELDS = [
  'outcomeCategory',
  'outcomeMonth',
  'decisionType',
  'decidingBody',
  'localOutcomeVariant',
  'outcomeRank',
] as const satisfies readonly (keyof RecordedOutcome)[];

/** SET every recorded-outcome field where the stored rank is lower (or there is none). */
function raisingTo(outcome: RecordedOutcome) {
  return {
    UpdateExpression: `SET ${OUTCOME_FIELDS.map((field) => `${field} = :${field}`).join(', ')}`,
    ExpressionAttributeValues: Object.fromEntries(
      OUTCOME_FIELDS.map((field) => [`:${field}`, outcome[field]]),
    ),
    lower: '(attribute_not_exists(outcomeRank) OR outcomeRank < :outcomeRank)',
  };
}

/** Raises the decision's outcome to this one if it is greater; false when there is no such decision. */
async function raiseDecisionOutcome(decisionId: string, outcome: RecordedOutcome): Promise<boolean> {
  const { lower, ...update } = raisingTo(outcome);
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: decisionKey(decisionId),
        ...update,
        ConditionExpression: `attribute_exists(pk) AND ${lower}`,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The stored item, when there is one: its outcome is greater or the same.
    return error.Item !== undefined;
  }
}

async function pendingOutcomeOf(decisionId: string): Promise<RecordedOutcome | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: pendingOutcomeKey(decisionId), ConsistentRead: true }),
  );
  return Item as RecordedOutcome | undefined;
}

/**
 * Writes a police.uk crime's decision once (see `putOnce`), then raises its outcome to its own
 * street outcome (when the decision was there already) and to any outcome published before it
 * arrived. Safe to repeat.
 */
export async function putPoliceUkDecision(
  decision: Decision,
  streetOutcome: RecordedOutcome,
): Promise<'written' | 'duplicate'> {
  const written = await putOnce(decision, streetOutcome);
  if (written === 'duplicate') await raiseDecisionOutcome(decision.decisionId, streetOutcome);
  const pending = await pendingOutcomeOf(decision.decisionId);
  if (pending) await raiseDecisionOutcome(decision.decisionId, pending);
  return written;
}

/**
 * Records an outcome published for a police.uk crime: on its decision when it has been imported
 * (`applied`, whether or not a greater outcome was there already), otherwise as its pending
 * outcome, which its street row takes up when it arrives (`pending`). Safe to repeat.
 */
export async function applyOutcome(
  decisionId: string,
  outcome: RecordedOutcome,
): Promise<'applied' | 'pending'> {
  const { lower, ...update } = raisingTo(outcome);
  for (;;) {
    if (await raiseDecisionOutcome(decisionId, outcome)) return 'applied';
    try {
      await transactWrite([
        {
          label: 'pending',
          item: {
            Update: {
              TableName: mainTable(),
              Key: pendingOutcomeKey(decisionId),
              ...update,
              ConditionExpression: lower,
            },
          },
        },
        {
          label: 'decision',
          item: {
            ConditionCheck: {
              TableName: mainTable(),
              Key: decisionKey(decisionId),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        },
      ]);
      return 'pending';
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      // A greater outcome is pending already; or the decision has just arrived: raise it instead.
      if (!error.has('decision')) return 'pending';
    }
  }
}

/** The decisions on a crime, by its reference as the force writes it: pseudonymised with the import key to match. */
export async function decisionsOfCrimeReference(crimeReference: string): Promise<Decision[]> {
  return decisionsOfCrime(pseudonym(await pseudonymKey(), 'crime', crimeReference.trim()));
}
