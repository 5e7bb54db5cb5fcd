/**
 * Nominations in the main table: their keys, their reads and the write that records one.
 *
 * - `NOMINATION#<nomination>` / `NOMINATION`: the nomination, recorded once under an id derived
 *   from the nominator and the decision.
 * - `NOMINATION#<nomination>` / `VERSION#<n>`: a version the nominator changed since (consent,
 *   wishes, reasons), as it was stated; the nomination item holds the latest, with its number.
 * - Listed on `byKind` per nominator (`NOMINATIONS#<subject>`, by date): nobody lists anyone
 *   else's nominations, and a case's nominations are found through its nominators.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import type { ReviewCase } from '../cases/review-case.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import type { LabelledItem, TransactionRefused } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import {
  type Nomination,
  NominationSchema,
  type NominationVersion,
  NominationVersionSchema,
} from './nomination.ts';

const VERSION = 'VERSION#';

export const nominationKeys = {
  item: (nominationId: string) => ({ pk: `NOMINATION#${nominationId}`, sk: 'NOMINATION' }),
  version: (nominationId: string, version: number) => ({
    pk: `NOMINATION#${nominationId}`,
    sk: `${VERSION}${String(version).padStart(4, '0')}`,
  }),
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

/** Every nomination merged into a case, withdrawn ones too: each nominator's own list, filtered to the case. */
export async function nominationsOfCase(reviewCase: Pick<ReviewCase, 'caseId' | 'nominators'>) {
  const lists = await Promise.all((reviewCase.nominators ?? []).map(nominationsBy));
  return lists
    .flat()
    .filter((nomination) => nomination.caseId === reviewCase.caseId)
    .sort((a, b) => a.nominatedAt.localeCompare(b.nominatedAt));
}

/** The nominations that still hold a case: not withdrawn. */
export const live = (nominations: readonly Nomination[]) =>
  nominations.filter((nomination) => !nomination.withdrawn);

export const versionOf = (nomination: Nomination) => nomination.version ?? 1;

/** The nomination as it stands, as a version of its history. */
export function asVersion(nomination: Nomination): NominationVersion {
  return NominationVersionSchema.parse({
    ...nomination,
    version: versionOf(nomination),
    madeAt: nomination.changedAt ?? nomination.nominatedAt,
  });
}

/** Every version of the nomination, oldest first, the one standing last. */
export async function nominationHistory(nomination: Nomination): Promise<NominationVersion[]> {
  const superseded = await queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :version)',
    ExpressionAttributeValues: {
      ':pk': nominationKeys.item(nomination.nominationId).pk,
      ':version': VERSION,
    },
  });
  return [...superseded.map((item) => NominationVersionSchema.parse(item)), asVersion(nomination)];
}

/** The condition that the nomination is as read: the same version, not withdrawn. */
function asRead(before: Nomination) {
  return versionOf(before) > 1
    ? {
        condition: 'version = :read AND attribute_not_exists(withdrawn)',
        values: { ':read': versionOf(before) },
      }
    : {
        condition:
          'attribute_exists(pk) AND attribute_not_exists(version) AND attribute_not_exists(withdrawn)',
      };
}

/**
 * A change of the nomination: the version read kept in its history, the new one standing; on
 * condition that nobody changed or withdrew it meanwhile.
 */
export function changingNomination(
  before: Nomination,
  after: Nomination,
): LabelledItem<'nomination' | 'version'>[] {
  const read = asRead(before);
  return [
    {
      label: 'version',
      item: {
        Put: {
          TableName: mainTable(),
          Item: {
            ...nominationKeys.version(before.nominationId, versionOf(before)),
            nominationId: before.nominationId,
            ...asVersion(before),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
    {
      label: 'nomination',
      item: {
        Put: {
          TableName: mainTable(),
          Item: {
            ...nominationKeys.item(after.nominationId),
            ...nominationKeys.listed(after.nominatedBy, after.nominatedAt),
            ...after,
          },
          ConditionExpression: read.condition,
          ...(read.values ? { ExpressionAttributeValues: read.values } : {}),
        },
      },
    },
  ];
}

/** The nomination withdrawn, with when and why; on condition that it is as read. */
export function withdrawingNomination(
  before: Nomination,
  withdrawn: NonNullable<Nomination['withdrawn']>,
): LabelledItem<'nomination'> {
  const read = asRead(before);
  return {
    label: 'nomination',
    item: {
      Update: {
        TableName: mainTable(),
        Key: nominationKeys.item(before.nominationId),
        UpdateExpression: 'SET withdrawn = :withdrawn',
        ConditionExpression: read.condition,
        ExpressionAttributeValues: { ':withdrawn': withdrawn, ...read.values },
      },
    },
  };
}

/** A check that another nomination of the case still holds it: not withdrawn meanwhile. */
export function stillHolding(nomination: Nomination): LabelledItem {
  return {
    label: `nomination ${nomination.nominationId}`,
    item: {
      ConditionCheck: {
        TableName: mainTable(),
        Key: nominationKeys.item(nomination.nominationId),
        ConditionExpression: 'attribute_not_exists(withdrawn)',
      },
    },
  };
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
