/**
 * Review cases in the main table: their keys, their reads, and the transaction that opens a case,
 * told as outcomes the sampling and the nominations act on.
 *
 * - `CASE#<case>` / `CASE`: the case (listed on `byKind` as `CASE`, newest first).
 * - `OPENCASE#<decision>` / `OPENCASE`: the decision's claim, naming the case that reviews it.
 *
 * One open review case per decision. Opening a case puts the case and its decision's claim in one
 * transaction, the claim on condition that none exists; a second opening for the same decision
 * (another sample's pick, a nomination) is refused on the claim and joins the case it names
 * instead. The invariant is a claim item rather than a conditional update on the decision item:
 * the decision is the import's record, in the decision module's keys, and a claim of its own is
 * written only here, read with one GetItem by decision id, and never touched by an import.
 *
 * A claim is held while its case is under review (UNDER_REVIEW). A case that ends (CONCLUDED, and
 * CLOSED or WITHDRAWN after it) never returns to review, so its claim is not deleted when it ends:
 * the status writes that end a review need not know of it. The next case opened for the decision
 * takes the claim over, in a transaction whose condition is that the case it names has ended, so
 * there is no moment at which two cases of one decision are under review. Whether a decision may
 * be reviewed again after a conclusion is the opener's rule (a later sample may draw it; a
 * nomination may not), given as the statuses it may follow.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { statusIn } from '../data/conditions.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { type LabelledItem, TransactionRefused, transactWrite } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError } from '../errors.ts';
import { type CaseStatus, type ReviewCase, ReviewCaseSchema, UNDER_REVIEW } from './review-case.ts';

const CASE_KIND = 'CASE';

export const caseKeys = {
  item: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  listed: (openedAt: string) => ({ gsi1pk: CASE_KIND, gsi1sk: openedAt }),
  /** Which case reviews the decision: at most one at a time. */
  claim: (decisionId: string) => ({ pk: `OPENCASE#${decisionId}`, sk: 'OPENCASE' }),
} as const;

/** Every review case, newest first. Cases number in the hundreds or thousands, not millions. */
export async function listCases(): Promise<ReviewCase[]> {
  const items = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :kind',
    ExpressionAttributeValues: { ':kind': CASE_KIND },
    ScanIndexForward: false,
  });
  return items.map((item) => ReviewCaseSchema.parse(item));
}

/** One case; a missing case is a NotFoundError. */
export async function getCase(caseId: string): Promise<ReviewCase> {
  return (await getCaseWithReviewers(caseId)).reviewCase;
}

const reviewerSet = (value: unknown) => [...((value as Set<string> | undefined) ?? [])].sort();

/** A read of a case that a transaction will be conditioned on must see the latest write. */
export interface CaseRead {
  readonly consistent?: boolean;
}

const caseItem = async (caseId: string, { consistent = false }: CaseRead = {}) =>
  (
    await documents.send(
      new GetCommand({ TableName: mainTable(), Key: caseKeys.item(caseId), ConsistentRead: consistent }),
    )
  ).Item;

/**
 * One case with the reviewers it is assigned to now (declined and moved reviewers are not among
 * them) and those who declined it, in one read; a missing case is a NotFoundError. The case
 * carries its versions (`findingVersions`, `reviewersVersion`) for the changes conditioned on them.
 */
export async function getCaseWithReviewers(
  caseId: string,
  read: CaseRead = {},
): Promise<{
  reviewCase: ReviewCase;
  assignedReviewers: string[];
  declinedBy: string[];
}> {
  const Item = await caseItem(caseId, read);
  if (!Item) throw new NotFoundError(`No case ${caseId}`);
  return {
    reviewCase: ReviewCaseSchema.parse(Item),
    assignedReviewers: reviewerSet(Item.assignedReviewers),
    declinedBy: reviewerSet(Item.declinedBy),
  };
}

async function readCase(caseId: string): Promise<ReviewCase | undefined> {
  const Item = await caseItem(caseId, { consistent: true });
  return Item ? ReviewCaseSchema.parse(Item) : undefined;
}

/** The case the decision's claim names (under review or ended), if a case was ever opened for it. */
async function claimedCase(decisionId: string): Promise<ReviewCase | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: caseKeys.claim(decisionId), ConsistentRead: true }),
  );
  return Item ? readCase(String(Item.caseId)) : undefined;
}

// Opening a case ----------------------------------------------------------------------------------

/** Statuses in which a review has ended for good: the decision's claim may pass to a new case. */
export const ENDED: readonly CaseStatus[] = ['CONCLUDED', 'CLOSED', 'WITHDRAWN'];

type OpeningLabel = 'case' | 'claim' | 'ended';

export interface CaseOpening<Label extends string> {
  readonly decisionId: string;
  /** The case to open, given the ended case it follows on the decision (if any). */
  readonly open: (follows: ReviewCase | undefined) => ReviewCase;
  /** The ended statuses a new case may follow; a case that ended otherwise blocks the opening. */
  readonly mayFollow: readonly CaseStatus[];
  /** A nominator to keep on whichever case reviews the decision; without one, nothing is joined. */
  readonly nominator?: string;
  /** Written in the same transaction as the case or the join, given the case's id. */
  readonly alongside?: (caseId: string) => LabelledItem<Label>[];
}

export type CaseOpened =
  /** The case was opened now (or by an earlier attempt of the same change). */
  | { readonly outcome: 'opened'; readonly reviewCase: ReviewCase }
  /** A case with the id the opening gives was opened before: a retried step. */
  | { readonly outcome: 'already-open'; readonly reviewCase: ReviewCase }
  /** The decision is under review in another case, which now keeps the nominator. */
  | { readonly outcome: 'joined'; readonly reviewCase: ReviewCase }
  /** The decision is under review in another case; nothing was written (no nominator to keep). */
  | { readonly outcome: 'under-review'; readonly reviewCase: ReviewCase }
  /** The decision's last case ended in a way the opening may not follow; nothing was written. */
  | { readonly outcome: 'ended'; readonly reviewCase: ReviewCase };

const nominatorsOf = (reviewCase: ReviewCase) =>
  reviewCase.nominators && reviewCase.nominators.length > 0
    ? { nominators: new Set(reviewCase.nominators) }
    : {};

function putCase(reviewCase: ReviewCase): LabelledItem<OpeningLabel> {
  return {
    label: 'case',
    item: {
      Put: {
        TableName: mainTable(),
        // Nominators are a string set, so a later join ADDs to it and a retried join adds nothing.
        Item: {
          ...caseKeys.item(reviewCase.caseId),
          ...caseKeys.listed(reviewCase.openedAt),
          ...reviewCase,
          ...nominatorsOf(reviewCase),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/** The writes that open a case for a decision never claimed, or claimed by a case that has ended. */
function openingItems(
  reviewCase: ReviewCase,
  follows: ReviewCase | undefined,
  mayFollow: readonly CaseStatus[],
): LabelledItem<OpeningLabel>[] {
  const claim = {
    decisionId: reviewCase.decisionId,
    caseId: reviewCase.caseId,
    claimedAt: reviewCase.openedAt,
  };
  if (!follows) {
    return [
      putCase(reviewCase),
      {
        label: 'claim',
        item: {
          Put: {
            TableName: mainTable(),
            Item: { ...caseKeys.claim(reviewCase.decisionId), ...claim },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
    ];
  }
  const ended = statusIn(mayFollow, 'ended');
  return [
    putCase(reviewCase),
    {
      label: 'claim',
      item: {
        Update: {
          TableName: mainTable(),
          Key: caseKeys.claim(reviewCase.decisionId),
          UpdateExpression: 'SET caseId = :caseId, claimedAt = :claimedAt',
          ConditionExpression: 'caseId = :follows',
          ExpressionAttributeValues: {
            ':caseId': claim.caseId,
            ':claimedAt': claim.claimedAt,
            ':follows': follows.caseId,
          },
        },
      },
    },
    {
      label: 'ended',
      item: {
        ConditionCheck: {
          TableName: mainTable(),
          Key: caseKeys.item(follows.caseId),
          ConditionExpression: ended.condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: ended.values,
        },
      },
    },
  ];
}

/**
 * The write that keeps a nominator on the case under review. Its condition is the case's status
 * alone: while the case is under review the claim names it (a claim passes only from an ended
 * case), so a join never lands on a case that has left review.
 */
function joiningItem(caseId: string, nominator: string): LabelledItem<OpeningLabel> {
  const underReview = statusIn(UNDER_REVIEW, 'review');
  return {
    label: 'case',
    item: {
      Update: {
        TableName: mainTable(),
        Key: caseKeys.item(caseId),
        UpdateExpression: 'ADD nominators :nominator',
        ConditionExpression: underReview.condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':nominator': new Set([nominator]), ...underReview.values },
      },
    },
  };
}

/** A claim or a case moved under the transaction: read again and decide afresh. */
const OPENING_ATTEMPTS = 8;

/**
 * Opens a review case for the decision unless one is under review, in which case the opening
 * joins it (keeping the nominator, if any) or leaves it be; the `alongside` items are written in
 * the same transaction as the case or the join. A refusal of an `alongside` item is thrown as the
 * `TransactionRefused` it is, for the caller to tell (a nomination recorded before, say).
 */
export async function openOrJoinCase<Label extends string>(opening: CaseOpening<Label>): Promise<CaseOpened> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await claimedCase(opening.decisionId);
    const underReview = current && UNDER_REVIEW.includes(current.status) ? current : undefined;
    const follows = current && !underReview ? current : undefined;
    const reviewCase = opening.open(follows);
    if (underReview && !opening.nominator) {
      return {
        outcome: underReview.caseId === reviewCase.caseId ? 'already-open' : 'under-review',
        reviewCase: underReview,
      };
    }
    if (follows?.caseId === reviewCase.caseId) return { outcome: 'already-open', reviewCase: follows };
    if (follows && !opening.mayFollow.includes(follows.status))
      return { outcome: 'ended', reviewCase: follows };

    const caseId = underReview?.caseId ?? reviewCase.caseId;
    const items: LabelledItem<Label | OpeningLabel>[] = [
      ...(opening.alongside?.(caseId) ?? []),
      ...(underReview && opening.nominator
        ? [joiningItem(underReview.caseId, opening.nominator)]
        : openingItems(reviewCase, follows, opening.mayFollow)),
    ];
    try {
      await transactWrite(items);
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      const ownLabels: readonly string[] = ['case', 'claim', 'ended'];
      const theirs = error.failed.filter((label) => !ownLabels.includes(label));
      if (theirs.length > 0) throw error;
      if (attempt >= OPENING_ATTEMPTS) throw error;
      continue;
    }
    if (underReview) {
      const nominators = [...new Set([...(underReview.nominators ?? []), String(opening.nominator)])].sort();
      return { outcome: 'joined', reviewCase: { ...underReview, nominators } };
    }
    return { outcome: 'opened', reviewCase };
  }
}

// Withdrawing a case -----------------------------------------------------------------------------

/** A case as read for its withdrawal: where it was, with how many reviewer changes and nominators. */
export interface CaseToWithdraw {
  readonly caseId: string;
  readonly status: CaseStatus;
  readonly sittingId?: string;
  readonly reviewersVersion: number;
  readonly nominators: number;
}

/**
 * The case withdrawn from review for good (off any sitting, without reviewers), on condition that
 * it is still as read: same status, sitting, reviewers' version and number of nominators (nobody
 * joined it meanwhile), and no finding.
 */
export function withdrawingCase(
  seen: CaseToWithdraw,
  withdrawn: NonNullable<ReviewCase['withdrawn']>,
): LabelledItem<'case'> {
  const version = seen.reviewersVersion;
  const conditions = [
    '#status = :seenStatus',
    seen.sittingId ? 'sittingId = :sitting' : 'attribute_not_exists(sittingId)',
    version > 0 ? 'reviewersVersion = :version' : 'attribute_not_exists(reviewersVersion)',
    'size(nominators) = :nominators',
    '(attribute_not_exists(findingVersions) OR findingVersions = :none)',
  ];
  return {
    label: 'case',
    item: {
      Update: {
        TableName: mainTable(),
        Key: caseKeys.item(seen.caseId),
        UpdateExpression:
          'SET #status = :withdrawnStatus, withdrawn = :withdrawn, reviewersVersion = :next REMOVE sittingId, assignedReviewers, declinedBy, unassignable',
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':withdrawnStatus': 'WITHDRAWN' satisfies CaseStatus,
          ':withdrawn': withdrawn,
          ':next': version + 1,
          ':seenStatus': seen.status,
          ':nominators': seen.nominators,
          ':none': 0,
          ...(seen.sittingId ? { ':sitting': seen.sittingId } : {}),
          ...(version > 0 ? { ':version': version } : {}),
        },
      },
    },
  };
}

/**
 * Opens the case unless its decision is under review already (by this very case, when a step is
 * retried, or by another); joins nothing. It may follow any ended case of the decision: a later
 * sample may draw a decision reviewed before.
 */
export function openCaseOnce(reviewCase: ReviewCase): Promise<CaseOpened> {
  return openOrJoinCase({ decisionId: reviewCase.decisionId, open: () => reviewCase, mayFollow: ENDED });
}
