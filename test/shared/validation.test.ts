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
