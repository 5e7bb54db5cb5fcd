/** Decisions in the main table, written once each under a deterministic id. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES, populationKeys } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError } from '../errors.ts';
import { type Decision, DecisionSchema } from './decision.ts';

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

export async function getDecision(decisionId: string): Promise<Decision> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: decisionKey(decisionId) }),
  );
  if (!Item) throw new NotFoundError(`No decision ${decisionId}`);
  return DecisionSchema.parse(Item);
}

/**
 * Writes a decision unless one with its id exists. `written` means this call or an earlier
 * attempt of the same import row wrote it (a retried chunk converges instead of counting its own
 * rows as duplicates); `duplicate` means the decision came from another row or another import.
 */
export async function putDecisionOnce(decision: Decision): Promise<'written' | 'duplicate'> {
  const key = decisionKey(decision.decisionId);
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: { ...key, ...populationKeys(decision.decisionId, decision.decisionDate), ...decision },
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
    const sameRow =
      existing?.importId === decision.provenance.importId &&
      existing.sourceLine === decision.provenance.sourceLine;
    return sameRow ? 'written' : 'duplicate';
  }
}

/** A police.uk outcome as it is recorded on the crime's decision. */
export interface RecordedOutcome {
  outcomeCategory: string;
  /** YYYY-MM: the latest outcome wins, whatever the order the files arrive in. */
  outcomeMonth: string;
  decisionType: string;
  decidingBody: string;
  localOutcomeVariant: boolean;
}

/**
 * Records an outcome on the decision of its crime unless a later one is recorded already, so
 * re-applying a file changes nothing. False when no decision has that id (the crime was not in
 * the street file).
 */
export async function applyOutcome(decisionId: string, outcome: RecordedOutcome): Promise<boolean> {
  const key = decisionKey(decisionId);
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: key,
        UpdateExpression:
          'SET outcomeCategory = :category, outcomeMonth = :month, decisionType = :type, ' +
          'decidingBody = :body, localOutcomeVariant = :variant',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(outcomeMonth) OR outcomeMonth <= :month)',
        ExpressionAttributeValues: {
          ':category': outcome.outcomeCategory,
          ':month': outcome.outcomeMonth,
          ':type': outcome.decisionType,
          ':body': outcome.decidingBody,
          ':variant': outcome.localOutcomeVariant,
        },
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // Either the crime is not in the street file, or a later outcome is already recorded.
    const { Item } = await documents.send(
      new GetCommand({ TableName: mainTable(), Key: key, ProjectionExpression: 'pk' }),
    );
    return Item !== undefined;
  }
}
