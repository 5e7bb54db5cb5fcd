/**
 * One open review case per decision, under concurrency: many nominations of one decision at once
 * (by different nominators, or the same one resent), and a dip sample opening its cases while the
 * decision is nominated. Each scenario runs for many rounds on one stack, a fresh decision each
 * round, and its end state is read straight from the table. Then what a decision's claim does once
 * its case has ended.
 */
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { NOMINATION_REASONS } from '../../shared/nominations/nomination.ts';
import { rankOf } from '../../shared/sampling/selection.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

const ROUNDS = 20;
const CONCURRENT = 50;
const NOMINATORS = ['isva', 'isva2', 'cps', 'police'] as const;
const subjectOf = (persona: string) => `demo-${persona}`;

let stack: LocalStack;
let table: string;
let fresh: string[];
const decisionDates = new Map<string, string>();
let population: { decisionId: string; decisionDate: string }[];
const tokens = new Map<string, string>();

beforeAll(async () => {
  stack = await startLocalStack();
  table = stack.runtime.physicalName('TablesMain');
  const importId = await stack.importDecisions(syntheticForceExport({ count: 300, seed: 2711 }), 'admin');
  const eligible = await stack.eligibleDecisions(importId);
  fresh = eligible.map((decision) => decision.decisionId);
  for (const decision of eligible) decisionDates.set(decision.decisionId, String(decision.decisionDate));
  population = (await stack.decisions(importId))
    .filter((decision) => ['police_nfa', 'cps_nfa', 'filed'].includes(String(decision.decisionType)))
    .map((decision) => ({ decisionId: decision.decisionId, decisionDate: String(decision.decisionDate) }));
  for (const persona of [...NOMINATORS, 'auditor'])
    tokens.set(persona, await stack.runtime.tokenFor(persona));
}, 60_000);
afterAll(async () => stack?.close());

function freshDecision(): string {
  const decisionId = fresh.shift();
  if (!decisionId) throw new Error('The import holds too few eligible decisions for every round');
  return decisionId;
}

const reasonsFor = (i: number) => [
  NOMINATION_REASONS[i % NOMINATION_REASONS.length] as string,
  ...(i % 3 === 0 ? ['delay'] : []),
];

function nominate(persona: string, decisionId: string, i: number) {
  return stack.api('POST', '/nominations', {
    token: tokens.get(persona),
    body: {
      decisionId,
      reasonCodes: [...new Set(reasonsFor(i))],
      freeText: `request ${i}`,
      victimConsent: i % 2 === 0 ? 'consents' : 'not_yet_asked',
      vrrStatus: 'requested',
    },
  });
}

async function scan(filter: string, values: Record<string, unknown>) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await stack.documents.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: filter,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Every case, nomination and the claim of one decision, as stored. */
async function storedStateOf(decisionId: string) {
  const cases = await scan('sk = :sk AND decisionId = :decision', { ':sk': 'CASE', ':decision': decisionId });
  const nominations = await scan('sk = :sk AND decisionId = :decision', {
    ':sk': 'NOMINATION',
    ':decision': decisionId,
  });
  const { Item: claim } = await stack.documents.send(
    new GetCommand({
      TableName: table,
      Key: { pk: `OPENCASE#${decisionId}`, sk: 'OPENCASE' },
      ConsistentRead: true,
    }),
  );
  return {
    cases: cases.map((item) => ({
      ...item,
      caseId: String(item.caseId),
      status: String(item.status),
      origin: item.origin as { kind: string; sampleId?: string },
      nominators: [...((item.nominators as Set<string> | undefined) ?? [])].sort(),
    })),
    nominations,
    claim,
  };
}

describe('concurrent nominations of one decision', () => {
  it(`by four nominators, ${CONCURRENT} at once, open one case that keeps every nominator (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const decisionId = freshDecision();
      const sent = Array.from({ length: CONCURRENT }, (_, i) => ({
        persona: NOMINATORS[(i + round) % NOMINATORS.length] as string,
        i,
      }));

      // Each nominator's requests are the same nomination resent: a different one would be refused.
      const variantOf = (persona: string) => NOMINATORS.indexOf(persona as (typeof NOMINATORS)[number]);
      const responses = await Promise.all(
        sent.map(({ persona }) => nominate(persona, decisionId, variantOf(persona))),
      );

      expect(responses.map((response) => response.status)).toEqual(sent.map(() => 201));
      const { cases, nominations, claim } = await storedStateOf(decisionId);
      expect(cases).toHaveLength(1);
      const [reviewCase] = cases;
      expect(reviewCase).toMatchObject({ status: 'OPEN', origin: { kind: 'nomination' } });
      expect(reviewCase?.nominators).toEqual(NOMINATORS.map(subjectOf).sort());
      expect(claim).toMatchObject({ caseId: reviewCase?.caseId, decisionId });
      expect(nominations.map((item) => item.nominatedBy).sort()).toEqual(NOMINATORS.map(subjectOf).sort());
      for (const nomination of nominations) {
        expect(nomination.caseId).toBe(reviewCase?.caseId);
        const persona = NOMINATORS.find(
          (candidate) => subjectOf(candidate) === nomination.nominatedBy,
        ) as string;
        expect(nomination.freeText).toBe(`request ${variantOf(persona)}`);
      }
      for (const [index, response] of responses.entries()) {
        const persona = sent[index]?.persona as string;
        const recorded = nominations.find((item) => item.nominatedBy === subjectOf(persona));
        expect(response.body).toMatchObject({
          nominationId: recorded?.nominationId,
          caseId: reviewCase?.caseId,
          status: 'received',
        });
      }
    }
  }, 120_000);

  it(`resent ${CONCURRENT} times at once by one nominator record one nomination and one case (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const decisionId = freshDecision();

      const responses = await Promise.all(
        Array.from({ length: CONCURRENT }, () => nominate('isva', decisionId, round)),
      );

      expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
      const { cases, nominations, claim } = await storedStateOf(decisionId);
      expect(cases).toHaveLength(1);
      expect(cases[0]?.nominators).toEqual([subjectOf('isva')]);
      expect(claim?.caseId).toBe(cases[0]?.caseId);
      expect(nominations).toHaveLength(1);
      expect(nominations[0]).toMatchObject({ caseId: cases[0]?.caseId, freeText: `request ${round}` });
      expect(new Set(responses.map((response) => response.body.nominationId))).toEqual(
        new Set([nominations[0]?.nominationId]),
      );
    }
  }, 120_000);
});

/** A seed under which the decision ranks lowest among the decisions of its day. */
function seedDrawing(decisionId: string, round: number): string {
  const date = decisionDates.get(decisionId);
  const sameDay = population.filter((decision) => decision.decisionDate === date);
  for (let attempt = 0; ; attempt++) {
    const seed = `concurrency-round-${round}-seed-${attempt}`;
    const lowest = sameDay
      .map((decision) => ({ decisionId: decision.decisionId, rank: rankOf(seed, decision.decisionId) }))
      .sort((a, b) => (a.rank < b.rank ? -1 : 1))[0];
    if (lowest?.decisionId === decisionId) return seed;
  }
}

async function requestSample(decisionId: string, round: number): Promise<string> {
  const date = String(decisionDates.get(decisionId));
  const created = await stack.api('POST', '/samples', {
    token: tokens.get('auditor'),
    body: {
      label: `concurrency round ${round}`,
      filter: { decisionDateFrom: date, decisionDateTo: date },
      design: { type: 'simple' },
      size: 1,
      seed: seedDrawing(decisionId, round),
      // Drawn whether or not a nomination got there first: the sample must then open no second case.
      exclude: { underReview: false },
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return String(created.body.sampleId);
}

const WHILE_OPENING_DELAYS_MS = [0, 1, 2, 3, 5];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the sample's workflow has entered the step that opens its review cases. */
async function openingCasesOf(sampleId: string): Promise<void> {
  const executionArn = `${stack.runtime.physicalName('DipSample').replace(':stateMachine:', ':execution:')}:${sampleId}`;
  for (;;) {
    const history = await stack.sfn
      .send(new GetExecutionHistoryCommand({ executionArn }))
      .catch(() => ({ events: [] }));
    const events = history.events ?? [];
    const entered = events.some((event) => event.stateEnteredEventDetails?.name === 'OpenReviewCases');
    const ended = events.some(
      (event) => event.type?.startsWith('Execution') && event.type !== 'ExecutionStarted',
    );
    if (entered || ended) return;
    await sleep(2);
  }
}

describe('a decision drawn in a dip sample and nominated', () => {
  it(`has one case, which keeps its nominators, whether nominated after or while the sample opens its cases (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const decisionId = freshDecision();
      const whileOpening = round % 2 === 1;
      const nominators = NOMINATORS.slice(0, 1 + (round % NOMINATORS.length));

      const sampleId = await requestSample(decisionId, round);
      if (whileOpening) {
        await openingCasesOf(sampleId);
        // Staggered so that some rounds nominate before the step claims the decision, some after.
        await sleep(
          WHILE_OPENING_DELAYS_MS[Math.floor(round / 2) % WHILE_OPENING_DELAYS_MS.length] as number,
        );
      } else {
        await stack.runtime.waitForExecution('DipSample', sampleId);
      }
      const responses = await Promise.all(
        nominators.flatMap((persona) => [0, 1].map(() => nominate(persona, decisionId, round))),
      );
      const execution = await stack.runtime.waitForExecution('DipSample', sampleId);

      expect(execution.status).toBe('SUCCEEDED');
      expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
      const { cases, nominations, claim } = await storedStateOf(decisionId);
      expect(cases).toHaveLength(1);
      const [reviewCase] = cases;
      expect(reviewCase?.status).toBe('OPEN');
      expect(reviewCase?.nominators).toEqual(nominators.map(subjectOf).sort());
      expect(claim?.caseId).toBe(reviewCase?.caseId);
      expect(nominations).toHaveLength(nominators.length);
      expect(nominations.every((nomination) => nomination.caseId === reviewCase?.caseId)).toBe(true);
      const sample = (await stack.api('GET', `/samples/${sampleId}`, { token: tokens.get('auditor') })).body;
      expect(sample).toMatchObject({ status: 'SELECTED', drawnSize: 1 });
      if (whileOpening && reviewCase?.origin.kind === 'nomination') {
        // The nomination claimed the decision first: the sample recorded its pick as under review there.
        expect(sample.underReviewElsewhere).toEqual([{ decisionId, caseId: reviewCase.caseId }]);
      } else {
        expect(reviewCase?.origin).toMatchObject({ kind: 'dip-sample', sampleId });
        expect(sample.underReviewElsewhere).toBeUndefined();
      }
    }
  }, 120_000);
});

/** Ends a case's review as the conclusion (or a withdrawal) would, by its status alone. */
async function endReview(caseId: string, status: 'CONCLUDED' | 'WITHDRAWN') {
  await stack.documents.send(
    new UpdateCommand({
      TableName: table,
      Key: { pk: `CASE#${caseId}`, sk: 'CASE' },
      UpdateExpression: 'SET #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    }),
  );
}

describe('a decision whose review has ended', () => {
  it('is not nominated again once concluded, while a later sample opens a case that takes its claim', async () => {
    const decisionId = freshDecision();
    const nominated = await nominate('isva', decisionId, 0);
    await endReview(String(nominated.body.caseId), 'CONCLUDED');

    const again = await nominate('cps', decisionId, 1);
    const sampleId = await requestSample(decisionId, 1_000);
    await stack.runtime.waitForExecution('DipSample', sampleId);

    expect(again.status).toBe(400);
    expect((again.body.issues as { reason: string }[])[0]?.reason).toContain('already concluded');
    const { cases, nominations, claim } = await storedStateOf(decisionId);
    const sampled = cases.find((reviewCase) => reviewCase.origin.sampleId === sampleId);
    expect(cases.map((reviewCase) => [reviewCase.origin.kind, reviewCase.status]).sort()).toEqual([
      ['dip-sample', 'OPEN'],
      ['nomination', 'CONCLUDED'],
    ]);
    expect(claim?.caseId).toBe(sampled?.caseId);
    expect(nominations).toHaveLength(1);
  });

  it('is nominated again once withdrawn, as a new case', async () => {
    const decisionId = freshDecision();
    const first = await nominate('isva', decisionId, 0);
    await endReview(String(first.body.caseId), 'WITHDRAWN');

    const second = await nominate('cps', decisionId, 1);

    expect(second.status).toBe(201);
    expect(second.body.caseId).not.toBe(first.body.caseId);
    const { cases, claim } = await storedStateOf(decisionId);
    const byId = new Map(cases.map((reviewCase) => [reviewCase.caseId, reviewCase]));
    expect(byId.get(String(first.body.caseId))).toMatchObject({
      status: 'WITHDRAWN',
      nominators: ['demo-isva'],
    });
    expect(byId.get(String(second.body.caseId))).toMatchObject({ status: 'OPEN', nominators: ['demo-cps'] });
    expect(claim?.caseId).toBe(second.body.caseId);
  });
});
