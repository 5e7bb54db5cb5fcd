/** Request checking: every problem named at once, unknown fields included, with what was probably meant. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkAgainst, unknownFields } from '../../shared/validation.ts';

const Nomination = z
  .object({
    decisionId: z.string(),
    victimWishes: z.string().optional(),
    recommendations: z.array(z.object({ text: z.string(), owner: z.string() })).default([]),
    consent: z.enum(['yes', 'no']).optional(),
    extra: z.record(z.string(), z.object({ note: z.string() })).optional(),
    tags: z.object({ any: z.string() }).loose().optional(),
  })
  .refine(() => true);

describe('unknown fields', () => {
  it('names every field the schema does not know, at any depth, with the field probably meant', () => {
    expect(
      unknownFields(Nomination, {
        decisionId: 'd',
        victimWish: 'to be told',
        freetext: 'something',
        recommendations: [{ text: 't', owner: 'o', ownr: 'x' }],
        extra: { a: { note: 'n', nots: 'm' } },
        tags: { anything: 'goes' },
      }),
    ).toEqual([
      { field: 'victimWish', reason: 'is not a field of this request; did you mean victimWishes?' },
      { field: 'freetext', reason: 'is not a field of this request' },
      { field: 'recommendations.0.ownr', reason: 'is not a field of this request; did you mean owner?' },
      { field: 'extra.a.nots', reason: 'is not a field of this request; did you mean note?' },
    ]);
  });

  it('suggests a misspelling one letter out', () => {
    const Finding = z.object({ recommendations: z.array(z.string()).optional(), rationale: z.string() });
    expect(unknownFields(Finding, { rationale: 'r', recomendations: [] })).toEqual([
      { field: 'recomendations', reason: 'is not a field of this request; did you mean recommendations?' },
    ]);
  });

  it('gives every problem at once, a strict object’s unknown fields named once', () => {
    const Strict = z.object({ date: z.iso.date(), maxCases: z.number().int() }).strict();
    const checked = checkAgainst(Strict, { date: 'soon', maxCase: 3 });
    expect(checked.ok).toBe(false);
    expect(checked.ok ? [] : checked.issues.map((issue) => issue.field).sort()).toEqual([
      'date',
      'maxCase',
      'maxCases',
    ]);
  });

  it('passes a value with known fields only', () => {
    expect(checkAgainst(Nomination, { decisionId: 'd', consent: 'yes' })).toMatchObject({ ok: true });
  });
});

describe('messages', () => {
  const Request = z.object({
    count: z.coerce.number().int().gt(0),
    whole: z.coerce.number().int(),
    choice: z.enum(['simple', 'stratified']),
    name: z.string().min(1).max(3),
    on: z.iso.date(),
    flag: z.boolean(),
    items: z.array(z.string()).max(1),
    needed: z.string(),
    own: z.string().regex(/^x$/, 'an x'),
  });

  it('say plainly what each field must be, never "received NaN"', () => {
    const checked = checkAgainst(Request, {
      count: 'abc',
      whole: '1.5',
      choice: 'equal',
      name: '',
      on: '2027-13-01',
      flag: 'yes',
      items: ['a', 'b'],
      own: 'y',
    });
    expect(checked.ok).toBe(false);
    expect(checked.ok ? [] : checked.issues).toEqual([
      { field: 'count', reason: 'must be a number' },
      { field: 'whole', reason: 'must be a whole number' },
      { field: 'choice', reason: 'must be one of simple, stratified' },
      { field: 'name', reason: 'must not be empty' },
      { field: 'on', reason: 'must be a date as YYYY-MM-DD' },
      { field: 'flag', reason: 'must be true or false, not a string' },
      { field: 'items', reason: 'must have at most 1 item' },
      { field: 'needed', reason: 'is required' },
      { field: 'own', reason: 'an x' },
    ]);
  });

  it('give bounds in words', () => {
    const checked = checkAgainst(z.object({ n: z.number().gt(0), m: z.number().max(10) }), { n: 0, m: 11 });
    expect(checked.ok ? [] : checked.issues).toEqual([
      { field: 'n', reason: 'must be greater than 0' },
      { field: 'm', reason: 'must be at most 10' },
    ]);
  });
});
