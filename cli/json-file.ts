/**
 * Reading a JSON file the person wrote by hand (a finding, a question set): a file that is not
 * there, or is not JSON, is refused naming the file and, for bad JSON, the line and column.
 */
import { readFile } from 'node:fs/promises';

export async function readJsonFile(file: string, what: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'EISDIR') throw new Error(`There is no file ${file}.`);
    throw error;
  });
  try {
    // A BOM from a Windows editor is not part of the JSON.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(`${file}${whereIn(text, message)} is not valid JSON (${what}): ${message}`);
  }
}

/** `:line:column` of the position JSON.parse names, or of the end for a file that stops short. */
function whereIn(text: string, message: string): string {
  const match = /at position (\d+)/.exec(message);
  const position = match ? Number(match[1]) : /end of JSON input/.test(message) ? text.length : undefined;
  if (position === undefined) return '';
  const before = text.slice(0, position).split('\n');
  return `:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}
