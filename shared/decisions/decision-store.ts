/** Decisions in the main table, written once each under a deterministic id. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { keys, populationKeys } from '../data/keys.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError } from '../errors.ts';
import { type Decision, DecisionSchema } from './decision.ts';

export async function getDecision(decisionId: string): Promise<Decision> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: keys.decision(decisionId) }),
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
  const key = keys.decision(decision.decisionId);
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
