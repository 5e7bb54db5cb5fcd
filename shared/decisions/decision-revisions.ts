/**
 * A force decision imported again with other values (a corrected re-export) is updated, and the
 * values it replaces are kept as a revision in its history, with the import and line that
 * replaced them. The decision item carries its `revision`; each update is one transaction that
 * moves the decision from revision n to n + 1 only if it is still at n, and puts history item n
 * only if it is not there: a retried chunk, or two imports at once, never write a revision twice.
 *
 * The decision's identity (crime, deciding body, date) is its id, so it never changes; every
 * other imported field can.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { canonicalJson } from '../canonical-json.ts';
import { populationKeys } from '../data/keys.ts';
import { TransactionRefused, transactWrite } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { TransientError } from '../errors.ts';
import {
  type Decision,
  DecisionRecordSchema,
  type DecisionRevision,
  DecisionRevisionSchema,
  DecisionSchema,
} from './decision.ts';
import { decisionKey, findDecision, sameImportRow } from './decision-store.ts';

/** The fields an import can change: every imported one but those that make the decision's id. */
const IDENTITY = ['source', 'crimeReference', 'decidingBody', 'decisionDate', 'decisionDatePrecision'];
export const REVISABLE_FIELDS = [
  ...Object.keys(DecisionRecordSchema.shape).filter((field) => !IDENTITY.includes(field)),
  // Derived from the outcome code, so they change with it.
  'decisionType',
  'localOutcomeVariant',
] as (keyof Decision)[];

const historyKey = (decisionId: string, revision: number) => ({
  pk: decisionKey(decisionId).pk,
  sk: `REVISION#${String(revision).padStart(6, '0')}`,
});

/** The revisable fields whose values differ, each with the stored value (null where there was none). */
function changedFields(stored: Decision, incoming: Decision): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const field of REVISABLE_FIELDS) {
    if (canonicalJson(stored[field] ?? null) !== canonicalJson(incoming[field] ?? null))
      changed[field] = stored[field] ?? null;
  }
  return changed;
}

/** The decision's earlier values, oldest first. */
export async function decisionHistory(decisionId: string): Promise<DecisionRevision[]> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: mainTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :revision)',
      ExpressionAttributeValues: { ':pk': decisionKey(decisionId).pk, ':revision': 'REVISION#' },
      ConsistentRead: true,
    }),
  );
  return Items.map((item) => DecisionRevisionSchema.parse(item));
}

/**
 * The decision as it stood at a moment: every revision replaced after it undone, newest first.
 * What a concluded case was reviewed on, whatever was imported since.
 */
export function decisionAsAt(decision: Decision, history: readonly DecisionRevision[], at: string): Decision {
  const later = history
    .filter((revision) => revision.replacedAt > at)
    .sort((a, b) => b.revision - a.revision);
  const restored: Record<string, unknown> = { ...decision };
  for (const revision of later) {
    for (const [field, value] of Object.entries(revision.values)) {
      if (value === null) delete restored[field];
      else restored[field] = value;
    }
    restored.revision = revision.revision;
    if (revision.setBy) restored.changedBy = revision.setBy;
    else delete restored.changedBy;
  }
  return DecisionSchema.parse(restored);
}

/** Each attempt lost to a concurrent write of the same decision; more means something is wrong. */
const MAX_ATTEMPTS = 10;

export type ForceDecisionWrite = 'written' | 'updated' | 'duplicate';

/**
 * Writes a force decision: `written` when new (or written by an earlier attempt of this row),
 * `duplicate` when stored with the same values, `updated` when this row changed its values (now,
 * or in an earlier attempt). Within one file the later line wins: an earlier line of the same
 * decision that comes after it changes nothing and counts as `updated` (superseded in the file).
 */
export async function putForceDecision(decision: Decision): Promise<ForceDecisionWrite> {
  const row = decision.provenance;
  for (let attempt = 1; ; attempt++) {
    if (attempt > MAX_ATTEMPTS)
      throw new TransientError(`Decision ${decision.decisionId} kept changing while it was imported`);
    try {
      await documents.send(
        new PutCommand({
          TableName: mainTable(),
          Item: {
            ...decisionKey(decision.decisionId),
            ...populationKeys(decision.decisionId, decision.decisionDate),
            ...decision,
            revision: 1,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'written';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const stored = await findDecision(decision.decisionId, { consistent: true });
    if (!stored) continue; // gone meanwhile: write it afresh
    if (sameImportRow(stored.provenance, row)) return 'written';
    const revision = stored.revision ?? 1;
    const setBy = stored.changedBy ?? stored.provenance;
    if (sameImportRow(stored.changedBy, row)) return 'updated';
    if (
      revision > 1 &&
      (await decisionHistory(decision.decisionId)).some((r) => sameImportRow(r.changedBy, row))
    )
      return 'updated';
    if (setBy.importId === row.importId && setBy.sourceLine > row.sourceLine) return 'updated';
    const values = changedFields(stored, decision);
    if (Object.keys(values).length === 0) return 'duplicate';
    if (await updateDecision(stored, decision, values, revision)) return 'updated';
  }
}

/** Moves the decision from `revision` to the next with the incoming values; false when it had moved on. */
async function updateDecision(
  stored: Decision,
  incoming: Decision,
  values: Record<string, unknown>,
  revision: number,
): Promise<boolean> {
  const fields = Object.keys(values) as (keyof Decision)[];
  const set = fields.filter((field) => incoming[field] !== undefined);
  const removed = fields.filter((field) => incoming[field] === undefined);
  const names = Object.fromEntries(fields.map((field, i) => [`#f${i}`, field]));
  const nameOf = (field: string) => `#f${fields.indexOf(field as keyof Decision)}`;
  const replacedAt = incoming.importedAt;
  const entry: DecisionRevision = {
    revision,
    values,
    ...(stored.changedBy ? { setBy: stored.changedBy } : {}),
    changedBy: incoming.provenance,
    replacedAt,
  };
  try {
    await transactWrite([
      {
        label: 'decision',
        item: {
          Update: {
            TableName: mainTable(),
            Key: decisionKey(stored.decisionId),
            UpdateExpression: [
              `SET ${[...set.map((field) => `${nameOf(field)} = :${String(field)}`), '#revision = :next', 'changedBy = :changedBy'].join(', ')}`,
              ...(removed.length > 0 ? [`REMOVE ${removed.map(nameOf).join(', ')}`] : []),
            ].join(' '),
            ConditionExpression:
              revision === 1
                ? 'attribute_exists(pk) AND (attribute_not_exists(#revision) OR #revision = :current)'
                : '#revision = :current',
            ExpressionAttributeNames: { ...names, '#revision': 'revision' },
            ExpressionAttributeValues: {
              ...Object.fromEntries(set.map((field) => [`:${String(field)}`, incoming[field]])),
              ':next': revision + 1,
              ':current': revision,
              ':changedBy': incoming.provenance,
            },
          },
        },
      },
      {
        label: 'history',
        item: {
          Put: {
            TableName: mainTable(),
            Item: { ...historyKey(stored.decisionId, revision), decisionId: stored.decisionId, ...entry },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
    ]);
    return true;
  } catch (error) {
    if (error instanceof TransactionRefused) return false; // another write got there first: read again
    throw error;
  }
}
