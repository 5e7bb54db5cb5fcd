/**
 * Findings and moderations in the main table: their keys, their reads, and the transactions that
 * store them together with what they change on the case and the assignment, with the refusals of
 * those transactions told as answers a reviewer or a chair can act on.
 *
 * - `CASE#<case>` / `FINDING#<sitting>#<reviewer>#<version>`: every version of every finding, side
 *   by side; a version is stored once and never changed.
 * - `CASE#<case>` / `MODERATION#<sitting>`: the chair's decision in one sitting.
 * - The case's `findingVersions`: how many finding versions the case has taken. It moves in the
 *   transaction that stores each version, and the conclusion is conditioned on the count it read,
 *   so a case never concludes on findings that changed after they were read.
 *
 * A finding is stored, its assignment marked submitted and the case moved in one transaction, on
 * condition that the case still takes findings in the finding's sitting and the assignment is still
 * the reviewer's: a refused submission has written nothing.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { caseKeys } from '../cases/case-store.ts';
import { type CaseStatus, ReviewCaseSchema } from '../cases/review-case.ts';
import { queryAll } from '../data/query-all.ts';
import { type LabelledItem, TransactionRefused, transactWrite } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, TransientError } from '../errors.ts';
import { deterministicId } from '../ids.ts';
import { type AssignmentStatus, assignmentKey } from '../routing/assignment-store.ts';
import { type Finding, FindingSchema, statusInWords, whyNoFinding } from './finding.ts';
import { type Moderation, ModerationSchema } from './moderation.ts';

const FINDING = 'FINDING#';
const MODERATION = 'MODERATION#';

const casePartition = (caseId: string) => caseKeys.item(caseId).pk;

export const findingKeys = {
  /** One version of one reviewer's finding in one sitting. */
  version: (caseId: string, sittingId: string, reviewerId: string, version: number) => ({
    pk: casePartition(caseId),
    sk: `${FINDING}${sittingId}#${reviewerId}#${String(version).padStart(4, '0')}`,
  }),
  /** The versions of the case, of one sitting or all. */
  versionsPrefix: (sittingId?: string) => (sittingId ? `${FINDING}${sittingId}#` : FINDING),
  /** The chair's moderation of the case in one sitting (a carried-over case may be moderated again). */
  moderation: (caseId: string, sittingId: string) => ({
    pk: casePartition(caseId),
    sk: `${MODERATION}${sittingId}`,
  }),
} as const;

const findingKey = (finding: Pick<Finding, 'caseId' | 'sittingId' | 'reviewerId' | 'version'>) =>
  findingKeys.version(finding.caseId, finding.sittingId, finding.reviewerId, finding.version);

// Reads ------------------------------------------------------------------------------------------

/**
 * Every version of every finding on the case, in one sitting or all. Read consistently: the
 * conclusion reads them after the case's count of versions and must see every version it counts.
 */
export async function findingsOfCase(caseId: string, sittingId?: string): Promise<Finding[]> {
  const items = await queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': casePartition(caseId),
      ':prefix': findingKeys.versionsPrefix(sittingId),
    },
    ConsistentRead: true,
  });
  return items.map((item) => FindingSchema.parse(item));
}

/** The version stored under this one's key, if any. */
export async function storedVersion(
  finding: Pick<Finding, 'caseId' | 'sittingId' | 'reviewerId' | 'version'>,
): Promise<Finding | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: findingKey(finding), ConsistentRead: true }),
  );
  return Item ? FindingSchema.parse(Item) : undefined;
}

export async function getModeration(caseId: string, sittingId: string): Promise<Moderation | undefined> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: mainTable(),
      Key: findingKeys.moderation(caseId, sittingId),
      ConsistentRead: true,
    }),
  );
  return Item ? ModerationSchema.parse(Item) : undefined;
}

/** Every moderation of the case, one per sitting it was moderated in, oldest first. */
export async function moderationsOf(caseId: string): Promise<Moderation[]> {
  const items = await queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :moderation)',
    ExpressionAttributeValues: { ':pk': casePartition(caseId), ':moderation': MODERATION },
    ConsistentRead: true,
  });
  return items
    .map((item) => ModerationSchema.parse(item))
    .sort((a, b) => a.moderatedAt.localeCompare(b.moderatedAt));
}

// Storing a finding version -----------------------------------------------------------------------

type SubmissionLabel = 'finding' | 'assignment' | 'case';

/**
 * The three writes of a submission. The case moves from ASSIGNED to IN_REVIEW (staying there or in
 * MODERATION otherwise); which of the two updates applies depends on the status read, and a
 * refusal returns the status found so the other one can be sent.
 */
function submissionItems(
  finding: Finding,
  caseStatus: CaseStatus,
  today: string,
): LabelledItem<SubmissionLabel>[] {
  const inModeration = caseStatus === 'MODERATION';
  return [
    {
      label: 'finding',
      item: {
        Put: {
          TableName: mainTable(),
          Item: { ...findingKey(finding), ...finding },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
    {
      label: 'assignment',
      item: {
        Update: {
          TableName: mainTable(),
          Key: assignmentKey(finding.assignmentId),
          UpdateExpression: 'SET #status = :submitted, submittedAt = if_not_exists(submittedAt, :at)',
          ConditionExpression: '#status IN (:assigned, :submitted) AND dueDate >= :today',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':submitted': 'submitted' satisfies AssignmentStatus,
            ':assigned': 'assigned' satisfies AssignmentStatus,
            ':at': finding.submittedAt,
            ':today': today,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
    {
      label: 'case',
      item: {
        Update: {
          TableName: mainTable(),
          Key: caseKeys.item(finding.caseId),
          UpdateExpression: inModeration
            ? 'ADD findingVersions :one'
            : 'SET #status = :inReview ADD findingVersions :one',
          ConditionExpression: inModeration
            ? '#status = :moderation AND sittingId = :sitting'
            : '#status IN (:assigned, :inReview) AND sittingId = :sitting',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':sitting': finding.sittingId,
            ...(inModeration
              ? { ':moderation': 'MODERATION' satisfies CaseStatus }
              : {
                  ':assigned': 'ASSIGNED' satisfies CaseStatus,
                  ':inReview': 'IN_REVIEW' satisfies CaseStatus,
                }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
  ];
}

/**
 * Stores the finding version, its assignment submitted and the case's count moved, all or nothing.
 * Answers with the version stored under its key: this one, or the very same submission stored by
 * a concurrent request (a resend). Refused with a ConflictError saying why: `alreadyThere` when a
 * different version holds the key, or why the case or the assignment takes no finding now.
 */
export async function storeFindingVersion(
  finding: Finding,
  caseStatus: CaseStatus,
  today: string,
  alreadyThere: string,
): Promise<Finding> {
  let status = caseStatus;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      await transactWrite(submissionItems(finding, status, today));
      return finding;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const refusal = error as TransactionRefused<SubmissionLabel>;
      const stored = refusal.stored.get('finding');
      if (stored?.contentHash === finding.contentHash) return FindingSchema.parse(stored);
      const storedCase = refusal.stored.get('case');
      const storedAssignment = refusal.stored.get('assignment');
      const why = whyNoFinding(
        storedCase ? ReviewCaseSchema.parse(storedCase) : { ...finding, status },
        {
          sittingId: finding.sittingId,
          status: String(storedAssignment?.status ?? 'assigned'),
          dueDate: String(storedAssignment?.dueDate ?? today),
        },
        today,
      );
      if (why) throw new ConflictError(why);
      if (stored) throw new ConflictError(alreadyThere);
      // Still in review, but moved between IN_REVIEW and MODERATION meanwhile: send the other update.
      if (storedCase) status = ReviewCaseSchema.parse(storedCase).status;
    }
  }
  throw new TransientError(
    `Case ${finding.caseId} kept changing while the finding was stored; send it again`,
  );
}

// Storing a moderation ----------------------------------------------------------------------------

/** The id the conclusion workflow is started under for a moderation: one per case and sitting. */
export const moderationCause = (moderation: Pick<Moderation, 'caseId' | 'sittingId'>) =>
  deterministicId('mod', moderation.caseId, moderation.sittingId);

/**
 * Stores the chair's moderation and its history event in one transaction, on condition that the
 * case is still awaiting moderation in that sitting. Answers with the moderation stored: this one,
 * or the very same decision stored by a concurrent request. Refused with a ConflictError otherwise.
 */
export async function storeModeration(
  moderation: Moderation,
  historyEvent: LabelledItem,
): Promise<Moderation> {
  const { caseId, sittingId } = moderation;
  try {
    await transactWrite<string>([
      {
        label: 'moderation',
        item: {
          Put: {
            TableName: mainTable(),
            Item: { ...findingKeys.moderation(caseId, sittingId), ...moderation },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
      {
        label: 'case',
        item: {
          ConditionCheck: {
            TableName: mainTable(),
            Key: caseKeys.item(caseId),
            ConditionExpression: '#status = :moderation AND sittingId = :sitting',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':moderation': 'MODERATION' satisfies CaseStatus,
              ':sitting': sittingId,
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      },
      historyEvent,
    ]);
    return moderation;
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    const stored = error.stored.get('moderation');
    if (stored?.contentHash === moderation.contentHash) return ModerationSchema.parse(stored);
    if (stored)
      throw new ConflictError(`Case ${caseId} was moderated meanwhile, on ${String(stored.moderatedAt)}`);
    const storedCase = error.stored.get('case');
    const status = storedCase ? statusInWords(String(storedCase.status)) : 'gone';
    throw new ConflictError(`Case ${caseId} is no longer awaiting moderation (it is ${status})`);
  }
}
