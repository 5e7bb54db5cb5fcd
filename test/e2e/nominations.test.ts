/** Nominations through the API: eligibility explained, merging into one case, and privacy between nominators. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
let rows: Record<string, string>[];
let decisions: Awaited<ReturnType<LocalStack['decisions']>>;
const csv = syntheticForceExport({ count: 80, seed: 404 });

beforeAll(async () => {
  stack = await startLocalStack();
  const importId = await stack.importDecisions(csv, 'police');
  rows = parse(csv, { columns: true }) as Record<string, string>[];
  decisions = await stack.decisions(String(importId));
});
afterAll(async () => stack?.close());

const windowStart = () => {
  const start = new Date();
  start.setUTCMonth(start.getUTCMonth() - 12);
  return start.toISOString().slice(0, 10);
};
const eligible = () =>
  decisions.filter(
    (d) =>
      ['police_nfa', 'cps_nfa', 'filed'].includes(String(d.decisionType)) &&
      String(d.decisionDate) >= windowStart(),
  );
const body = (target: Record<string, string>) => ({
  ...target,
  reasonCodes: ['victim_dissatisfied', 'lines_of_enquiry_missed'],
  freeText: '<script>alert(1)</script> The victim was not told of the decision.',
  victimConsent: 'consents',
  vrrStatus: 'requested',
});

describe('nominating a decision', () => {
  it('merges every nomination of one decision into one case that keeps every nominator', async () => {
    const decision = eligible()[0];
    const first = await stack.api('POST', '/nominations', {
      as: 'isva',
      body: body({ decisionId: String(decision?.decisionId) }),
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'received',
      nominatorRole: 'isva',
      decisionId: decision?.decisionId,
    });
    expect(first.body.freeText).toBe('<script>alert(1)</script> The victim was not told of the decision.');

    const second = await stack.api('POST', '/nominations', {
      as: 'cps',
      body: body({ decisionId: String(decision?.decisionId) }),
    });
    expect(second.body.caseId).toBe(first.body.caseId);
    const retry = await stack.api('POST', '/nominations', {
      as: 'isva',
      body: body({ decisionId: String(decision?.decisionId) }),
    });
    expect(retry.body.nominationId).toBe(first.body.nominationId);

    const { Item } = await stack.documents.send(
      new GetCommand({
        TableName: stack.runtime.physicalName('TablesMain'),
        Key: { pk: `CASE#${first.body.caseId}`, sk: 'CASE' },
      }),
    );
    expect([...((Item?.nominators as Set<string> | undefined) ?? [])].sort()).toEqual([
      'demo-cps',
      'demo-isva',
    ]);
    expect(Item).toMatchObject({ status: 'OPEN', origin: { kind: 'nomination' } });
  });

  it('takes a resend that differs for what it is: not the same nomination', async () => {
    const decisionId = String(eligible()[5]?.decisionId);
    const first = await stack.api('POST', '/nominations', { as: 'isva', body: body({ decisionId }) });
    expect(first.status).toBe(201);
    const changed = await stack.api('POST', '/nominations', {
      as: 'isva',
      body: { ...body({ decisionId }), victimConsent: 'does_not_consent', victimWishes: 'to be told first' },
    });
    expect(changed.status).toBe(409);
    expect(String(changed.body.message)).toContain(
      'differs from that nomination in victimConsent, victimWishes',
    );
    const stored = await stack.api('GET', `/nominations/${first.body.nominationId}`, { as: 'isva' });
    expect(stored.body).toMatchObject({ victimConsent: 'consents' });
    const same = await stack.api('POST', '/nominations', { as: 'isva', body: body({ decisionId }) });
    expect(same.body.nominationId).toBe(first.body.nominationId);
  });

  it('names a field it does not know instead of dropping what was in it', async () => {
    const decisionId = String(eligible()[6]?.decisionId);
    const response = await stack.api('POST', '/nominations', {
      as: 'isva',
      body: { ...body({ decisionId }), victimWish: 'to meet the officer', freetext: 'more' },
    });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      { field: 'body.victimWish', reason: 'is not a field of this request; did you mean victimWishes?' },
      { field: 'body.freetext', reason: 'is not a field of this request; did you mean freeText?' },
    ]);
    const nothing = await stack.api('GET', '/nominations', { as: 'isva' });
    expect((nothing.body.items as { decisionId: string }[]).some((n) => n.decisionId === decisionId)).toBe(
      false,
    );
  });

  it('finds the decision by the crime reference the nominator knows', async () => {
    const decision = eligible()[1];
    const row = rows[(decision?.provenance.sourceLine ?? 2) - 2];
    const response = await stack.api('POST', '/nominations', {
      as: 'police',
      body: body({ crimeReference: String(row?.crime_reference) }),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.decisionId).toBe(decision?.decisionId);
  });

  it.each([
    [
      'a decision that does not exist',
      () => ({ decisionId: 'dec_zzzzzzzzzzzzzzzzzzzzzzzzzz' }),
      'no decision with this id',
    ],
    [
      'a decision that is not an NFA or filing decision',
      () => ({ decisionId: String(decisions.find((d) => d.decisionType === 'other')?.decisionId) }),
      'is not a finalised NFA or filing decision',
    ],
    [
      'a decision outside the window',
      () => ({
        decisionId: String(
          decisions.find((d) => String(d.decisionType) !== 'other' && String(d.decisionDate) < windowStart())
            ?.decisionId,
        ),
      }),
      "outside the panel's window of 12 months",
    ],
    [
      'a crime reference nobody imported',
      () => ({ crimeReference: 'SYN/000000/00' }),
      'no imported decision',
    ],
  ])('refuses %s, naming the rule', async (_name, target, reason) => {
    const response = await stack.api('POST', '/nominations', { as: 'isva', body: body(target()) });
    expect(response.status).toBe(400);
    expect((response.body.issues as { reason: string }[])[0]?.reason).toContain(reason);
  });
});

describe('a nominator', () => {
  it('sees only their own nominations; anyone else’s answers as missing', async () => {
    const own = await stack.api('GET', '/nominations', { as: 'isva' });
    expect((own.body.items as unknown[]).length).toBeGreaterThan(0);
    const otherIsva = await stack.api('GET', '/nominations', { as: 'isva2' });
    expect(otherIsva.body.items).toEqual([]);
    const [mine] = own.body.items as { nominationId: string }[];
    expect((await stack.api('GET', `/nominations/${mine?.nominationId}`, { as: 'isva2' })).status).toBe(404);
    expect((await stack.api('GET', `/nominations/${mine?.nominationId}`, { as: 'isva' })).status).toBe(200);
  });
});
