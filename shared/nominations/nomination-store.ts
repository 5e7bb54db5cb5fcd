/**
 * Nominations in the main table: their keys, their reads and the write that records one.
 *
 * - `NOMINATION#<nomination>` / `NOMINATION`: the nomination, recorded once under an id derived
 *   from the nominator and the decision.
 * - Listed on `byKind` per nominator (`NOMINATIONS#<subject>`, by date): nobody lists anyone
 *   else's nominations, and a case's nominations are found through its nominators.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import type { LabelledItem, TransactionRefused } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { type Nomination, NominationSchema } from './nomination.ts';

export const nominationKeys = {
  item: (nominationId: string) => ({ pk: `NOMINATION#${nominationId}`, sk: 'NOMINATION' }),
  nominator: (nominatedBy: string) => `NOMINATIONS#${nominatedBy}`,
  listed: (nominatedBy: string, nominatedAt: string) => ({
    gsi1pk: nominationKeys.nominator(nominatedBy),
    gsi1sk: nominatedAt,
  }),
} as const;

export async function getNomination(nominationId: string): Promise<Nomination | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: nominationKeys.item(nominationId) }),
  );
  return Item ? NominationSchema.parse(Item) : undefined;
}

/** Every nomination by one nominator, newest first. */
export async function nominationsBy(nominatedBy: string): Promise<Nomination[]> {
  const items = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :nominator',
    ExpressionAttributeValues: { ':nominator': nominationKeys.nominator(nominatedBy) },
    ScanIndexForward: false,
  });
  return items.map((item) => NominationSchema.parse(item));
}

/**
 * Records the nomination, once: the item of the transaction that also opens or joins its case. A
 * refusal on it means the nominator had nominated the decision before; the refusal carries the
 * nomination recorded then (see `recordedBefore`).
 */
export function recordingNomination(nomination: Nomination): LabelledItem<'nomination'> {
  return {
    label: 'nomination',
    item: {
      Put: {
        TableName: mainTable(),
        Item: {
          ...nominationKeys.item(nomination.nominationId),
          ...nominationKeys.listed(nomination.nominatedBy, nomination.nominatedAt),
          ...nomination,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
  };
}

/** The nomination a refused recording found stored, if the refusal was about it. */
export function recordedBefore(refusal: TransactionRefused): Nomination | undefined {
  const stored = refusal.stored.get('nomination');
  return stored ? NominationSchema.parse(stored) : undefined;
}
