/** What the CLI can tell about an export file on disk before the API sees it. */
import { open } from 'node:fs/promises';
import path from 'node:path';
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

/**
 * The format of an export when none is given: JSON lines by extension; police.uk's CSV by its
 * header, which always opens with `Crime ID`; any other CSV is the force's own export.
 */
export async function detectFormat(filePath: string): Promise<ImportFormat> {
  const extension = path.extname(filePath).toLowerCase();
  if (extension === '.ndjson' || extension === '.jsonl') return 'force-ndjson';
  return (await readFirstLine(filePath)).startsWith('Crime ID,') ? 'police-uk' : 'force-csv';
}
