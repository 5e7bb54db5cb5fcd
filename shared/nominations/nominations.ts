/**
 * Nominating a decision for the panel: find it (by id, or by the crime reference the nominator
 * knows), check it is eligible and say which rule fails if not, merge it into the decision's
 * nominated case, and record the nomination once.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { listCases, openCaseOnce } from '../cases/case-store.ts';
import { type ReviewCase, ReviewCaseSchema } from '../cases/review-case.ts';
import { keys, kinds, MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import type { Decision } from '../decisions/decision.ts';
import { getDecision } from '../decisions/decision-store.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { pseudonym, pseudonymKey } from '../imports/pseudonymise.ts';
import { ALL_CHAIRS, notify } from '../notifications/notifications.ts';
import {
  NOMINATION_WINDOW_MONTHS,
  type NominateRequest,
  type Nomination,
  NominationSchema,
  type NominationViewSchema,
} from './nomination.ts';

const NOMINATING_ROLES = ['isva', 'cps', 'police'] as const;
const ELIGIBLE_TYPES = ['police_nfa', 'cps_nfa', 'filed'];
const CONCLUDED = ['CONCLUDED', 'CLOSED'];

const refused = (field: string, reason: string) =>
  new ValidationError(`Not eligible for the panel: ${reason}`, [{ field, reason }]);

export const nominatedCaseId = (decisionId: string) => deterministicId('case', 'nomination', decisionId);

async function findDecision(request: NominateRequest): Promise<Decision> {
  if (request.decisionId) {
    try {
      return await getDecision(request.decisionId);
    } catch (error) {
      if (error instanceof NotFoundError)
        throw refused('decisionId', 'no decision with this id has been imported');
      throw error;
    }
  }
  const crimeReference = pseudonym(await pseudonymKey(), 'crime', String(request.crimeReference));
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: mainTable(),
      IndexName: MAIN_TABLE_INDEXES.byCrime,
      KeyConditionExpression: 'crimeReference = :crime',
      ExpressionAttributeValues: { ':crime': crimeReference },
    }),
  );
  const decisions = await Promise.all(
    Items.map((item) => getDecision(String(item.pk).replace(/^DECISION#/, ''))),
  );
  const candidates = decisions.filter((decision) => ELIGIBLE_TYPES.includes(decision.decisionType));
  if (decisions.length === 0)
    throw refused('crimeReference', 'no imported decision has this crime reference');
  if (candidates.length === 0) {
    throw refused('crimeReference', 'no decision on this crime is an NFA or filing decision');
  }
  if (candidates.length > 1) {
    const ids = candidates.map((decision) => decision.decisionId).join(', ');
    throw refused(
      'crimeReference',
      `this crime has ${candidates.length} NFA or filing decisions; name one: ${ids}`,
    );
  }
  return candidates[0] as Decision;
}

/** The rules a decision must meet; the first that fails is named. */
async function checkEligible(decision: Decision, field: string, now: Date): Promise<void> {
  if (!ELIGIBLE_TYPES.includes(decision.decisionType)) {
    const outcome = decision.outcomeCode ?? decision.outcomeCategory ?? 'unknown';
    throw refused(field, `outcome ${outcome} is not a finalised NFA or filing decision`);
  }
  const windowStart = new Date(now);
  windowStart.setUTCMonth(windowStart.getUTCMonth() - NOMINATION_WINDOW_MONTHS);
  if (decision.decisionDate < windowStart.toISOString().slice(0, 10)) {
    throw refused(
      field,
      `decided on ${decision.decisionDate}, outside the panel's window of ${NOMINATION_WINDOW_MONTHS} months`,
    );
  }
  const concluded = (await listCases()).some(
    (reviewCase) => reviewCase.decisionId === decision.decisionId && CONCLUDED.includes(reviewCase.status),
  );
  if (concluded) throw refused(field, 'the panel has already concluded its review of this decision');
}

export async function nominate(
  request: NominateRequest,
  principal: Principal,
  now = new Date(),
): Promise<{ nomination: Nomination; created: boolean }> {
  const role = NOMINATING_ROLES.find((candidate) => principal.roles.includes(candidate));
  if (!role)
    throw new ValidationError('Only ISVAs, CPS and police nominate', [
      { field: 'role', reason: 'not a nominator' },
    ]);
  const decision = await findDecision(request);
  await checkEligible(decision, request.decisionId ? 'decisionId' : 'crimeReference', now);

  const caseId = nominatedCaseId(decision.decisionId);
  const nominatedAt = now.toISOString();
  await openCaseOnce({
    caseId,
    decisionId: decision.decisionId,
    origin: { kind: 'nomination' },
    status: 'OPEN',
    openedAt: nominatedAt,
  });
  // A set: a second nomination of the decision adds its nominator, a retry adds nothing.
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: keys.reviewCase(caseId),
      UpdateExpression: 'ADD nominators :nominator',
      ExpressionAttributeValues: { ':nominator': new Set([principal.subject]) },
    }),
  );

  const nomination: Nomination = {
    nominationId: deterministicId('nom', principal.subject, decision.decisionId),
    caseId,
    decisionId: decision.decisionId,
    nominatedBy: principal.subject,
    nominatorRole: role,
    reasonCodes: request.reasonCodes,
    freeText: request.freeText,
    victimConsent: request.victimConsent,
    ...(request.victimWishes ? { victimWishes: request.victimWishes } : {}),
    vrrStatus: request.vrrStatus,
    nominatedAt,
  };
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...keys.nomination(nomination.nominationId),
          ...kinds.nomination(principal.subject, nominatedAt),
          ...nomination,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await notify(
      ALL_CHAIRS,
      'nomination-received',
      { caseId, nominationId: nomination.nominationId },
      nominatedAt,
    );
    return { nomination, created: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return {
      nomination: (await getOwnNomination(principal, nomination.nominationId)).nomination,
      created: false,
    };
  }
}

function statusOf(reviewCase: ReviewCase | undefined): z.infer<typeof NominationViewSchema>['status'] {
  switch (reviewCase?.status) {
    case 'ASSIGNED':
    case 'IN_REVIEW':
    case 'MODERATION':
      return 'in_review';
    case 'CONCLUDED':
    case 'CLOSED':
      return 'concluded';
    case 'WITHDRAWN':
      return 'withdrawn';
    default:
      return reviewCase?.sittingId ? 'on_agenda' : 'received';
  }
}

async function view(nomination: Nomination): Promise<z.infer<typeof NominationViewSchema>> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: keys.reviewCase(nomination.caseId) }),
  );
  const reviewCase = Item ? ReviewCaseSchema.parse(Item) : undefined;
  return {
    ...nomination,
    status: statusOf(reviewCase),
    ...(reviewCase?.sittingId ? { sittingId: reviewCase.sittingId } : {}),
  };
}

/** One of the caller's own nominations; anyone else's answers as missing. */
export async function getOwnNomination(principal: Principal, nominationId: string) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: keys.nomination(nominationId) }),
  );
  if (!Item || Item.nominatedBy !== principal.subject)
    throw new NotFoundError(`No nomination ${nominationId}`);
  const nomination = NominationSchema.parse(Item);
  return { nomination, view: await view(nomination) };
}

export async function listOwnNominations(principal: Principal) {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: mainTable(),
      IndexName: MAIN_TABLE_INDEXES.byKind,
      KeyConditionExpression: 'gsi1pk = :owner',
      ExpressionAttributeValues: { ':owner': `NOMINATIONS#${principal.subject}` },
      ScanIndexForward: false,
    }),
  );
  return Promise.all(Items.map((item) => view(NominationSchema.parse(item))));
}

/** Every nomination merged into a case: each nominator's own list, filtered to the case. */
export async function nominationsOfCase(reviewCase: Pick<ReviewCase, 'caseId' | 'nominators'>) {
  const lists = await Promise.all(
    (reviewCase.nominators ?? []).map((nominator) =>
      queryAll({
        TableName: mainTable(),
        IndexName: MAIN_TABLE_INDEXES.byKind,
        KeyConditionExpression: 'gsi1pk = :owner',
        ExpressionAttributeValues: { ':owner': `NOMINATIONS#${nominator}` },
      }),
    ),
  );
  return lists
    .flat()
    .map((item) => NominationSchema.parse(item))
    .filter((nomination) => nomination.caseId === reviewCase.caseId)
    .sort((a, b) => a.nominatedAt.localeCompare(b.nominatedAt));
}
