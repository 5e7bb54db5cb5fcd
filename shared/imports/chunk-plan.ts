/**
 * Splits a CSV export into byte ranges that each hold whole records, in one streaming pass that
 * never holds the file in memory. Boundaries fall only on a line break outside quotes, so a quoted
 * field that spans lines is never cut, and each chunk knows the line number it starts on, so
 * errors are reported against the file's real line numbers.
 */
import { TextDecoder } from 'node:util';
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { CSV_STATE, type CsvState, csvStep, endsRecord, NEWLINE } from './csv-records.ts';

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

export interface PlanOptions {
  readonly chunkBytes?: number;
  /** CSV exports start with a header line; NDJSON does not. */
  readonly hasHeader?: boolean;
  /** CSV can quote a line break inside a field; in NDJSON a quote is only ever inside a string. */
  readonly quoteAware?: boolean;
}

/** Bytes checked for encoding at the start of a file: enough to catch a binary or non-UTF-8 file. */
const SNIFF_BYTES = 64 * 1024;

export async function planChunks(
  body: AsyncIterable<Uint8Array>,
  options: PlanOptions = {},
): Promise<ChunkPlan> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const hasHeader = options.hasHeader ?? true;
  const quoteAware = options.quoteAware ?? true;
  const sniffer = new TextDecoder('utf-8', { fatal: true });
  let offset = 0; // bytes consumed before the current buffer
  let line = 1;
  // Records end where the chunk reader ends them (shared/imports/csv-records.ts).
  let state: CsvState = CSV_STATE.fieldStart;
  let headerEnd = hasHeader ? -1 : 0;
  const headerBytes: Uint8Array[] = [];
  let chunkStart = hasHeader ? -1 : 0;
  let chunkFirstLine = 1;
  const chunks: Chunk[] = [];

  for await (const buffer of body) {
    if (offset < SNIFF_BYTES) sniffEncoding(sniffer, buffer.subarray(0, SNIFF_BYTES - offset));
    const headerKnown = headerEnd >= 0;
    for (let i = 0; i < buffer.length; i++) {
      const byte = buffer[i];
      if (byte === NEWLINE) line++;
      if (quoteAware && !endsRecord(state, byte)) {
        state = csvStep(state, byte);
        continue;
      }
      if (byte === NEWLINE) {
        state = CSV_STATE.fieldStart;
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
  if (offset === 0) throw new ValidationError('The file is empty', [{ field: 'file', reason: 'empty' }]);
  if (headerEnd < 0) {
    headerEnd = offset; // a file holding only a header line, without a final newline
  } else if (chunkStart < offset) {
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

function sniffEncoding(decoder: TextDecoder, bytes: Uint8Array): void {
  if (bytes.includes(0)) {
    throw new ValidationError('The file is binary or UTF-16, not a UTF-8 text export', [
      { field: 'file', reason: 'contains NUL bytes' },
    ]);
  }
  try {
    decoder.decode(bytes, { stream: true });
  } catch {
    throw new ValidationError('The file is not UTF-8 text; save the export as UTF-8', [
      { field: 'file', reason: 'invalid UTF-8' },
    ]);
  }
}
