/**
 * The question set versions in the main table. Version 1 is built in (INITIAL_QUESTION_SET); the
 * admin publishes each later version whole, and a published version is never changed, so every
 * finding can be read against the questions it answered.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import {
  INITIAL_QUESTION_SET,
  type PublishQuestionSetRequestSchema,
  type QuestionSet,
  QuestionSetSchema,
} from './question-set.ts';

/** Every version in one partition, in version order. */
const QUESTION_SETS = 'QUESTIONSET';
const questionSetKey = (version: number) => ({
  pk: QUESTION_SETS,
  sk: `V#${String(version).padStart(6, '0')}`,
});

export async function currentQuestionSet(): Promise<QuestionSet> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: mainTable(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': QUESTION_SETS },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  return Items[0] ? QuestionSetSchema.parse(Items[0]) : INITIAL_QUESTION_SET;
}

/**
 * The question set an assignment's findings answer: the version current when it was made, so
 * publishing a new one never invalidates work in progress (assignments from before versions were
 * recorded answer the current one).
 */
export async function questionSetOf(assignment: { questionSetVersion?: number }): Promise<QuestionSet> {
  return assignment.questionSetVersion === undefined
    ? currentQuestionSet()
    : getQuestionSet(assignment.questionSetVersion);
}

export async function getQuestionSet(version: number): Promise<QuestionSet> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: questionSetKey(version) }),
  );
  if (Item) return QuestionSetSchema.parse(Item);
  if (version === INITIAL_QUESTION_SET.version) return INITIAL_QUESTION_SET;
  throw new NotFoundError(`No question set version ${version}`);
}

/** Publishes the next version; two admins publishing at once cannot both take the same number. */
export async function publishQuestionSet(
  principal: Principal,
  request: z.infer<typeof PublishQuestionSetRequestSchema>,
  now = new Date(),
): Promise<QuestionSet> {
  const current = await currentQuestionSet();
  const next = QuestionSetSchema.parse({
    ...request,
    version: current.version + 1,
    publishedAt: now.toISOString(),
    publishedBy: principal.subject,
  });
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: { ...questionSetKey(next.version), ...next },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ConflictError(`Version ${next.version} was published meanwhile; look at it and try again`);
    }
    throw error;
  }
  return next;
}
