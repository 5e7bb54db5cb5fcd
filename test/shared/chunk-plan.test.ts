import { describe, expect, it } from 'vitest';
import { planChunks } from '../../shared/imports/chunk-plan.ts';

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('planChunks', () => {
  const file = 'a,b\n1,2\n"x\ny",3\n4,5\n6,7\n';

  it('cuts only at record boundaries, with the line each chunk starts on', async () => {
    const plan = await planChunks(pieces(file, 3), { chunkBytes: 4 });
    expect(plan.headerLine).toBe('a,b');
    const texts = plan.chunks.map((chunk) => file.slice(chunk.start, chunk.end));
    expect(texts).toEqual(['1,2\n', '"x\ny",3\n', '4,5\n', '6,7\n']);
    expect(plan.chunks.map((chunk) => chunk.firstLine)).toEqual([2, 3, 5, 6]);
    expect(plan.totalBytes).toBe(Buffer.byteLength(file));
  });

  it('gives the same plan however the stream is split', async () => {
    const reference = await planChunks(pieces(file, 1000), { chunkBytes: 6 });
    for (const size of [1, 2, 5, 7])
      expect(await planChunks(pieces(file, size), { chunkBytes: 6 })).toEqual(reference);
  });

  it('takes a quote inside an unquoted value as it is, so the lines after it stay records', async () => {
    const stray = 'a,b\n1,=HYPERLINK("x\n2,3\n4,5\n';
    const plan = await planChunks(pieces(stray, 5), { chunkBytes: 1 });
    expect(plan.chunks.map((chunk) => stray.slice(chunk.start, chunk.end))).toEqual([
      '1,=HYPERLINK("x\n',
      '2,3\n',
      '4,5\n',
    ]);
    expect(plan.chunks.map((chunk) => chunk.firstLine)).toEqual([2, 3, 4]);
  });

  it('keeps a last record without a final newline', async () => {
    const plan = await planChunks(pieces('a,b\n1,2', 4), { chunkBytes: 1000 });
    expect(plan.chunks).toEqual([{ index: 0, start: 4, end: 7, firstLine: 2 }]);
  });

  it('has no chunks for a header-only file', async () => {
    expect((await planChunks(pieces('a,b', 2))).chunks).toEqual([]);
    expect((await planChunks(pieces('a,b\n', 2))).chunks).toEqual([]);
  });

  it('refuses a file whose first line is not a header', async () => {
    await expect(planChunks(pieces('x'.repeat(70_000), 4096))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
