/** Review cases in the main table. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { keys, kinds, MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError } from '../errors.ts';
import { type ReviewCase, ReviewCaseSchema } from './review-case.ts';

/** Opens a case unless it is already open: its id is deterministic, so a retry opens nothing more. */
export async function openCaseOnce(reviewCase: ReviewCase): Promise<'opened' | 'already-open'> {
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...keys.reviewCase(reviewCase.caseId),
          ...kinds.reviewCase(reviewCase.openedAt),
          ...reviewCase,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'opened';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'already-open';
    throw error;
  }
}

/** Every review case, newest first. Cases number in the hundreds or thousands, not millions. */
export async function listCases(): Promise<ReviewCase[]> {
  const items = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :kind',
    ExpressionAttributeValues: { ':kind': 'CASE' },
    ScanIndexForward: false,
  });
  return items.map((item) => ReviewCaseSchema.parse(item));
}

/** One case; a missing case is a NotFoundError. */
export async function getCase(caseId: string): Promise<ReviewCase> {
  return (await getCaseWithReviewers(caseId)).reviewCase;
}

const reviewerSet = (value: unknown) => [...((value as Set<string> | undefined) ?? [])].sort();

/**
 * One case with the reviewers it is assigned to now (declined and moved reviewers are not among
 * them) and those who declined it, in one read; a missing case is a NotFoundError.
 */
export async function getCaseWithReviewers(caseId: string): Promise<{
  reviewCase: ReviewCase;
  assignedReviewers: string[];
  declinedBy: string[];
}> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: keys.reviewCase(caseId) }),
  );
  if (!Item) throw new NotFoundError(`No case ${caseId}`);
  return {
    reviewCase: ReviewCaseSchema.parse(Item),
    assignedReviewers: reviewerSet(Item.assignedReviewers),
    declinedBy: reviewerSet(Item.declinedBy),
  };
}
