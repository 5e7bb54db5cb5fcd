/**
 * The cases waiting for an agenda, for the chair who fills one: every review case that is open
 * and on no sitting (opened, or taken off an agenda) or was carried over from one, oldest first,
 * with what a chair weighs when choosing (where it came from, the offence, the decision, the
 * victim's consent, how long it has waited), filtered and paged.
 */
import { z } from 'zod';
import { type Decision, OFFENCE_GROUPS } from '../decisions/decision.ts';
import { findDecision } from '../decisions/decision-store.ts';
import { ValidationError } from '../errors.ts';
import { VICTIM_CONSENT } from '../nominations/nomination.ts';
import { live, nominationsOfCase } from '../nominations/nomination-store.ts';
import { listCases } from './case-store.ts';
import type { ReviewCase } from './review-case.ts';

export const WAITING_SOURCES = ['nomination', 'dip-sample'] as const;

export const WaitingQuerySchema = z.object({
  source: z.enum(WAITING_SOURCES).optional(),
  offenceGroup: z.enum(OFFENCE_GROUPS).optional(),
  decidingBody: z.enum(['police', 'cps']).optional(),
  victimConsent: z.enum(VICTIM_CONSENT).optional(),
  sampleId: z.string().max(40).optional().describe('Only the picks of this dip sample'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().describe('The `next` of the previous page'),
});
export type WaitingQuery = z.infer<typeof WaitingQuerySchema>;

export const WaitingCaseSchema = z.object({
  caseId: z.string(),
  status: z.enum(['OPEN', 'CARRIED_OVER']),
  source: z.enum(WAITING_SOURCES),
  sampleId: z.string().optional(),
  openedAt: z.iso.datetime(),
  /** Whole days since the case was opened. */
  waitingDays: z.number().int().nonnegative(),
  carriedOverFrom: z.array(z.string()).optional(),
  decisionId: z.string(),
  offenceGroup: z.enum(OFFENCE_GROUPS).optional(),
  decisionType: z.string().optional(),
  decidingBody: z.enum(['police', 'cps']).optional(),
  decisionDate: z.iso.date().optional(),
  /** The consent stated last in a nomination holding the case; absent for a dip-sample pick nobody nominated. */
  victimConsent: z.enum(VICTIM_CONSENT).optional(),
  nominations: z.number().int().nonnegative().describe('The nominations holding the case (not withdrawn)'),
});
export type WaitingCase = z.infer<typeof WaitingCaseSchema>;

export const WaitingListSchema = z.object({
  items: z.array(WaitingCaseSchema),
  /** How many waiting cases match the filters, over every page. */
  total: z.number().int().nonnegative(),
  next: z.string().optional().describe('Pass as `cursor` for the next page'),
});

/** Open and on no sitting, or carried over from one: the cases an agenda can take. */
export const isWaiting = (reviewCase: ReviewCase) =>
  (reviewCase.status === 'OPEN' && !reviewCase.sittingId) || reviewCase.status === 'CARRIED_OVER';

const DAY_MS = 86_400_000;
const DESCRIBED_AT_ONCE = 25;

async function describeWaiting(reviewCase: ReviewCase, now: Date): Promise<WaitingCase> {
  const [decision, nominations] = await Promise.all([
    findDecision(reviewCase.decisionId),
    nominationsOfCase(reviewCase),
  ]);
  // The consent stated last, in the latest version of a nomination still holding the case.
  const holding = live(nominations);
  const latest = holding
    .map((nomination) => ({ nomination, at: nomination.changedAt ?? nomination.nominatedAt }))
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1)?.nomination;
  const origin = reviewCase.origin;
  const fields: Partial<Decision> = decision ?? {};
  return {
    caseId: reviewCase.caseId,
    status: reviewCase.status === 'CARRIED_OVER' ? 'CARRIED_OVER' : 'OPEN',
    source: origin.kind,
    ...(origin.kind === 'dip-sample' ? { sampleId: origin.sampleId } : {}),
    openedAt: reviewCase.openedAt,
    waitingDays: Math.max(0, Math.floor((now.getTime() - Date.parse(reviewCase.openedAt)) / DAY_MS)),
    ...(reviewCase.carriedOverFrom ? { carriedOverFrom: reviewCase.carriedOverFrom } : {}),
    decisionId: reviewCase.decisionId,
    offenceGroup: fields.offenceGroup,
    decisionType: fields.decisionType,
    decidingBody: fields.decidingBody,
    decisionDate: fields.decisionDate,
    ...(latest ? { victimConsent: latest.victimConsent } : {}),
    nominations: holding.length,
  };
}

const encodeCursor = (item: WaitingCase) =>
  Buffer.from(`${item.openedAt}|${item.caseId}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d\d-\d\dT[^|]+\|case_[0-9a-z]+$/.test(decoded)) {
    throw new ValidationError('cursor is not one this list gave', [
      { field: 'query.cursor', reason: 'is not a `next` this list gave: start again without it' },
    ]);
  }
  return decoded;
}

const matches = (item: WaitingCase, query: WaitingQuery) =>
  (!query.source || item.source === query.source) &&
  (!query.sampleId || item.sampleId === query.sampleId) &&
  (!query.offenceGroup || item.offenceGroup === query.offenceGroup) &&
  (!query.decidingBody || item.decidingBody === query.decidingBody) &&
  (!query.victimConsent || item.victimConsent === query.victimConsent);

/** The waiting cases that match the query, oldest first, one page of them. */
export async function waitingCases(query: WaitingQuery, now = new Date()) {
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const waiting = (await listCases())
    .filter(isWaiting)
    .filter((reviewCase) => !query.source || reviewCase.origin.kind === query.source)
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.caseId.localeCompare(b.caseId));
  const described: WaitingCase[] = [];
  // A few reads per case: a bounded number of cases at a time.
  for (let start = 0; start < waiting.length; start += DESCRIBED_AT_ONCE) {
    const chunk = waiting.slice(start, start + DESCRIBED_AT_ONCE);
    described.push(...(await Promise.all(chunk.map((reviewCase) => describeWaiting(reviewCase, now)))));
  }
  const matching = described.filter((item) => matches(item, query));
  const start = after ? matching.findIndex((item) => `${item.openedAt}|${item.caseId}` > after) : 0;
  const items = start < 0 ? [] : matching.slice(start, start + query.limit);
  const last = items.at(-1);
  const more = start >= 0 && start + query.limit < matching.length;
  return { items, total: matching.length, ...(more && last ? { next: encodeCursor(last) } : {}) };
}
