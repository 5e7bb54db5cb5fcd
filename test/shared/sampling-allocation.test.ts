import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../local/synthetic-data.ts';
import { type Allocation, allocate } from '../../shared/sampling/allocation.ts';

const strata = (sizes: Record<string, number>) =>
  Object.entries(sizes).map(([key, populationSize]) => ({ key, populationSize }));

const sizesOf = (result: ReturnType<typeof allocate>) =>
  Object.fromEntries(result.map((stratum) => [stratum.key, stratum.sampleSize]));

const proportional: Allocation = { method: 'proportional' };
const equal: Allocation = { method: 'equal' };

describe('allocate: proportional', () => {
  it('shares the total in proportion to stratum size', () => {
    expect(sizesOf(allocate(strata({ FCID: 300, NPU: 200, PPU: 500 }), 100, proportional))).toEqual({
      FCID: 30,
      NPU: 20,
      PPU: 50,
    });
  });

  it('rounds by largest remainder so the sizes add up to the total exactly', () => {
    // Exact shares of 10 over 7 : 5 : 3 are 4.667, 3.333, 2.000: whole parts 4 + 3 + 2 = 9, and the
    // one unit left goes to the largest fraction (a, 0.667).
    expect(sizesOf(allocate(strata({ a: 7, b: 5, c: 3 }), 10, proportional))).toEqual({ a: 5, b: 3, c: 2 });
    // 10 over 1 : 1 : 1 : 1 is 2.5 each; rounding each would draw 12 (or 8). Ties in the fraction go
    // to the larger stratum and then the lower key.
    expect(sizesOf(allocate(strata({ d: 1000, c: 1000, b: 1000, a: 1000 }), 10, proportional))).toEqual({
      a: 3,
      b: 3,
      c: 2,
      d: 2,
    });
    expect(sizesOf(allocate(strata({ a: 1000, b: 1001, c: 1000, d: 1000 }), 10, proportional))).toEqual({
      a: 3,
      b: 3,
      c: 2,
      d: 2,
    });
    expect(sizesOf(allocate(strata({ a: 1000, b: 1000, c: 1001, d: 1000 }), 10, proportional))).toEqual({
      a: 3,
      b: 2,
      c: 3,
      d: 2,
    });
  });

  it('takes every decision when the total reaches the population', () => {
    for (const total of [100, 150]) {
      const result = allocate(strata({ a: 60, b: 40, empty: 0 }), total, proportional);
      expect(sizesOf(result)).toEqual({ a: 60, b: 40, empty: 0 });
      expect(result.map((stratum) => stratum.inclusionProbability)).toEqual([1, 1, 0]);
    }
  });

  it('meets the total, stays within each stratum and within one of the exact share (random designs)', () => {
    const random = seededRandom(2024);
    for (let design = 0; design < 300; design++) {
      const count = 1 + Math.floor(random() * 8);
      const sizes = Array.from({ length: count }, () => Math.floor(random() * (random() < 0.3 ? 5 : 5000)));
      const population = sizes.reduce((sum, size) => sum + size, 0);
      const total = Math.floor(random() * (population + 10));
      const result = allocate(
        sizes.map((populationSize, index) => ({ key: `s${index}`, populationSize })),
        total,
        proportional,
      );
      const drawn = result.reduce((sum, stratum) => sum + stratum.sampleSize, 0);
      expect(drawn).toBe(Math.min(total, population));
      for (const stratum of result) {
        expect(stratum.sampleSize).toBeLessThanOrEqual(stratum.populationSize);
        const exact =
          population === 0 ? 0 : (Math.min(total, population) * stratum.populationSize) / population;
        expect(Math.abs(stratum.sampleSize - exact)).toBeLessThan(1);
      }
    }
  });
});

describe('allocate: equal', () => {
  it('gives each stratum the same size, the remainder going to the largest strata', () => {
    // 31 over 3 is 10 each with 1 left, which goes to the largest stratum.
    expect(sizesOf(allocate(strata({ a: 60, b: 100, c: 80 }), 31, equal))).toEqual({ a: 10, b: 11, c: 10 });
    expect(sizesOf(allocate(strata({ a: 60, b: 100, c: 80 }), 32, equal))).toEqual({ a: 10, b: 11, c: 11 });
  });

  it('caps a small stratum and shares its surplus evenly among the others', () => {
    // 30 over 3 is 10 each, but c has only 5: it gives all 5, and the other 25 are shared between a and
    // b, 12.5 each, the odd one going to the larger (a).
    expect(sizesOf(allocate(strata({ a: 100, b: 50, c: 5 }), 30, equal))).toEqual({ a: 13, b: 12, c: 5 });
  });

  it('repeats the capping until no share exceeds its stratum', () => {
    // 40 over 4 is 10 each: a (2) and b (3) are capped; 35 left over c and d is 17.5 each.
    expect(sizesOf(allocate(strata({ a: 2, b: 3, c: 50, d: 100 }), 40, equal))).toEqual({
      a: 2,
      b: 3,
      c: 17,
      d: 18,
    });
    // After capping e (1), 39 over four is 9.75 each, which caps a (8) too; 31 over three is 10.33.
    expect(sizesOf(allocate(strata({ a: 8, b: 40, c: 40, d: 41, e: 1 }), 40, equal))).toEqual({
      a: 8,
      b: 10,
      c: 10,
      d: 11,
      e: 1,
    });
  });

  it('leaves empty strata out of the sharing', () => {
    const result = allocate(strata({ a: 10, empty: 0, b: 10 }), 6, equal);
    expect(result).toEqual([
      { key: 'a', populationSize: 10, sampleSize: 3, inclusionProbability: 0.3 },
      { key: 'b', populationSize: 10, sampleSize: 3, inclusionProbability: 0.3 },
      { key: 'empty', populationSize: 0, sampleSize: 0, inclusionProbability: 0 },
    ]);
  });

  it('meets the total, and no stratum with room gets 2 fewer than another (random designs)', () => {
    const random = seededRandom(1977);
    for (let design = 0; design < 300; design++) {
      const count = 1 + Math.floor(random() * 8);
      const sizes = Array.from({ length: count }, () => Math.floor(random() * (random() < 0.4 ? 8 : 200)));
      const population = sizes.reduce((sum, size) => sum + size, 0);
      const total = Math.floor(random() * (population + 10));
      const result = allocate(
        sizes.map((populationSize, index) => ({ key: `s${index}`, populationSize })),
        total,
        equal,
      );
      expect(result.reduce((sum, stratum) => sum + stratum.sampleSize, 0)).toBe(Math.min(total, population));
      const largest = Math.max(...result.map((stratum) => stratum.sampleSize));
      for (const stratum of result) {
        expect(stratum.sampleSize).toBeLessThanOrEqual(stratum.populationSize);
        if (stratum.sampleSize < stratum.populationSize) {
          expect(stratum.sampleSize).toBeGreaterThanOrEqual(largest - 1);
        }
      }
    }
  });

  it('takes every decision when the total reaches the population', () => {
    expect(sizesOf(allocate(strata({ a: 3, b: 4 }), 7, equal))).toEqual({ a: 3, b: 4 });
    expect(sizesOf(allocate(strata({ a: 3, b: 4 }), 1000, equal))).toEqual({ a: 3, b: 4 });
  });
});

describe('allocate: fixed', () => {
  it('takes each quota, 0 for a stratum without one, capped at the stratum size', () => {
    const result = allocate(strata({ FCID: 40, NPU: 300, PPU: 120 }), 0, {
      method: 'fixed',
      quotas: { PPU: 30, FCID: 50 },
    });
    expect(result).toEqual([
      { key: 'FCID', populationSize: 40, sampleSize: 40, inclusionProbability: 1 },
      { key: 'NPU', populationSize: 300, sampleSize: 0, inclusionProbability: 0 },
      { key: 'PPU', populationSize: 120, sampleSize: 30, inclusionProbability: 0.25 },
    ]);
  });

  it('does not read inherited properties as quotas', () => {
    const result = allocate(strata({ constructor: 10, toString: 5 }), 0, { method: 'fixed', quotas: {} });
    expect(sizesOf(result)).toEqual({ constructor: 0, toString: 0 });
  });

  it('refuses a quota for a stratum that is not in the population, naming it', () => {
    expect(() =>
      allocate(strata({ PPU: 10 }), 0, { method: 'fixed', quotas: { PPU: 2, FCDI: 3 } }),
    ).toThrowError(
      expect.objectContaining({ name: 'ValidationError', message: expect.stringContaining('FCDI') }),
    );
  });

  it('refuses a quota that is not a whole number', () => {
    expect(() => allocate(strata({ PPU: 10 }), 0, { method: 'fixed', quotas: { PPU: -1 } })).toThrow(
      RangeError,
    );
    expect(() => allocate(strata({ PPU: 10 }), 0, { method: 'fixed', quotas: { PPU: 1.5 } })).toThrow(
      /quota of stratum PPU/,
    );
  });
});

describe('allocate: census', () => {
  it('takes every decision in every stratum', () => {
    expect(allocate(strata({ b: 7, a: 3, c: 0 }), 0, { method: 'census' })).toEqual([
      { key: 'a', populationSize: 3, sampleSize: 3, inclusionProbability: 1 },
      { key: 'b', populationSize: 7, sampleSize: 7, inclusionProbability: 1 },
      { key: 'c', populationSize: 0, sampleSize: 0, inclusionProbability: 0 },
    ]);
  });
});

describe('allocate: common rules', () => {
  it('returns the strata in key order whatever order they come in', () => {
    const forward = allocate(strata({ a: 10, b: 20, c: 30 }), 12, proportional);
    const backward = allocate(strata({ c: 30, b: 20, a: 10 }), 12, proportional);
    expect(backward).toEqual(forward);
    expect(forward.map((stratum) => stratum.key)).toEqual(['a', 'b', 'c']);
  });

  it('gives inclusion probabilities of sampleSize / populationSize', () => {
    const result = allocate(strata({ a: 400, b: 100 }), 50, proportional);
    expect(result.map((stratum) => stratum.inclusionProbability)).toEqual([0.1, 0.1]);
  });

  it('handles no strata and a total of 0', () => {
    expect(allocate([], 10, proportional)).toEqual([]);
    expect(sizesOf(allocate(strata({ a: 5, b: 5 }), 0, equal))).toEqual({ a: 0, b: 0 });
  });

  it('refuses repeated keys, negative sizes and impossible totals', () => {
    expect(() => allocate([...strata({ a: 1 }), ...strata({ a: 2 })], 1, equal)).toThrow(
      /a appears more than once/,
    );
    expect(() => allocate(strata({ a: -1 }), 1, equal)).toThrow(/populationSize of stratum a/);
    expect(() => allocate(strata({ a: 10 }), -1, proportional)).toThrow(/total/);
    expect(() => allocate(strata({ a: 10 }), 2.5, equal)).toThrow(RangeError);
  });
});
