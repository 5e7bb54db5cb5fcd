/** What the CLI can tell about an export file on disk before the API sees it. */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvFileOf, describeResemblance, resemblances } from '../shared/imports/csv-formats.ts';
import type { ImportFormat } from '../shared/imports/import-record.ts';

/** Enough for any real header line; the import workflow refuses longer ones too. */
const HEADER_BYTES = 64 * 1024;

/** The file's first line, without a byte-order mark or line ending. */
async function readFirstLine(filePath: string): Promise<string> {
  const file = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEADER_BYTES, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    return (text.split('\n')[0] ?? '').replace(/\r$/, '');
  } finally {
    await file.close();
  }
}

/** A file given without `--format` whose header is not that of any file an import reads. */
export class UnrecognisedFileError extends Error {
  override readonly name = 'UnrecognisedFileError';
}

/**
 * The format of an export when none is given: JSON lines by extension; a CSV file by its header,
 * which must be exactly that of a force export, a police.uk street file or a police.uk outcomes
 * file (which goes with its street file, through `--outcomes`). Any other header is refused,
 * naming the file it resembles most and the columns it lacks.
 */
export async function detectFormat(filePath: string): Promise<ImportFormat | 'police-uk-outcomes'> {
  const extension = path.extname(filePath).toLowerCase();
  if (extension === '.ndjson' || extension === '.jsonl') return 'force-ndjson';
  const [header = []] = parse(await readFirstLine(filePath), { relax_quotes: true }) as string[][];
  const file = csvFileOf(header);
  if (file) return file;
  throw new UnrecognisedFileError(
    `The header of ${path.basename(filePath)} matches no import format: ` +
      `${describeResemblance(resemblances(header)[0])}. Correct the header, or give --format.`,
  );
}
