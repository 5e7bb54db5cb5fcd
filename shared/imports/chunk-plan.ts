/**
 * Splits a CSV export into byte ranges that each hold whole records, in one streaming pass that
 * never holds the file in memory. Boundaries fall only on a line break outside quotes, so a quoted
 * field that spans lines is never cut, and each chunk knows the line number it starts on, so
 * errors are reported against the file's real line numbers.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.ts';

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** The header is read from the first bytes only; a longer first line is not a valid export. */
export const MAX_HEADER_BYTES = 64 * 1024;

export const ChunkSchema = z.object({
  index: z.number().int().nonnegative(),
  /** First byte of the chunk. */
  start: z.number().int().nonnegative(),
  /** One past the last byte of the chunk. */
  end: z.number().int().positive(),
  /** 1-based line number of the chunk's first line in the file. */
  firstLine: z.number().int().positive(),
});
export type Chunk = z.infer<typeof ChunkSchema>;

export interface ChunkPlan {
  readonly headerLine: string;
  readonly chunks: Chunk[];
  readonly totalBytes: number;
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;

export async function planChunks(
  body: AsyncIterable<Uint8Array>,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Promise<ChunkPlan> {
  let offset = 0; // bytes consumed before the current buffer
  let line = 1;
  let inQuotes = false;
  let headerEnd = -1;
  const headerBytes: Uint8Array[] = [];
  let chunkStart = -1;
  let chunkFirstLine = 0;
  const chunks: Chunk[] = [];

  for await (const buffer of body) {
    const headerKnown = headerEnd >= 0;
    for (let i = 0; i < buffer.length; i++) {
      const byte = buffer[i];
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === NEWLINE) {
        line++;
        if (inQuotes) continue;
        const next = offset + i + 1; // the first byte of the next record
        if (headerEnd < 0) {
          headerEnd = next;
          chunkStart = next;
          chunkFirstLine = line;
        } else if (next - chunkStart >= chunkBytes) {
          chunks.push({ index: chunks.length, start: chunkStart, end: next, firstLine: chunkFirstLine });
          chunkStart = next;
          chunkFirstLine = line;
        }
      }
    }
    if (!headerKnown) headerBytes.push(buffer);
    offset += buffer.length;
    if (headerEnd < 0 && offset > MAX_HEADER_BYTES) {
      throw new ValidationError('The header line is longer than 64 KiB', [
        { field: 'header', reason: 'not a header line; is this the right file?' },
      ]);
    }
  }
  if (headerEnd < 0)
    headerEnd = offset; // a file holding only a header line, without a final newline
  else if (chunkStart < offset) {
    chunks.push({ index: chunks.length, start: chunkStart, end: offset, firstLine: chunkFirstLine });
  }
  const header = Buffer.concat(headerBytes).subarray(0, headerEnd);
  return {
    headerLine: header
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim(),
    chunks,
    totalBytes: offset,
  };
}
