/**
 * How the CLI talks: results on stdout (so they can be piped), progress and diagnostics on stderr.
 * Progress bars only on a terminal; elsewhere, plain status lines that read well in a log.
 */
import { type Options as BarOptions, SingleBar } from 'cli-progress';
import { ValidationError } from '../shared/errors.ts';
import { ApiError, type FieldIssue } from './api-client.ts';

export function result(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function status(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function stderrIsTerminal(): boolean {
  return Boolean(process.stderr.isTTY);
}

/** A bar on stderr when it is a terminal, otherwise undefined: the caller prints status lines. */
export function progressBar(options: BarOptions): SingleBar | undefined {
  if (!stderrIsTerminal()) return undefined;
  return new SingleBar({ stream: process.stderr, hideCursor: true, barsize: 30, ...options });
}

/** A bar option that shows `{value}` and `{total}` as sizes. */
export const formatBytesValue: BarOptions['formatValue'] = (value, _options, type) =>
  type === 'value' || type === 'total' ? formatBytes(value) : String(value);

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export type Cell = string | number;

/** Rows as aligned columns: numbers to the right, text to the left, two spaces between. */
export function formatTable(rows: readonly (readonly Cell[])[], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, String(cell).length);
    });
  }
  return rows
    .map((row) => {
      const cells = row.map((cell, column) => {
        const width = widths[column] ?? 0;
        if (typeof cell === 'number') return String(cell).padStart(width);
        return column === row.length - 1 ? cell : cell.padEnd(width);
      });
      return `${indent}${cells.join('  ')}`.trimEnd();
    })
    .join('\n');
}

/**
 * A message and its field issues as lines: the message, then the issues indented under it. Fields
 * sharing a reason (fifteen missing columns) share a line.
 */
export function explainIssues(message: string, issues: readonly FieldIssue[]): string[] {
  // A message that names every field already spells the issues out: keep only its lead.
  const repeats = issues.length > 0 && issues.every((issue) => message.includes(issue.field));
  const lead = repeats ? (message.split(': ')[0] ?? message) : message;
  const fieldsByReason = new Map<string, string[]>();
  for (const { field, reason } of issues)
    fieldsByReason.set(reason, [...(fieldsByReason.get(reason) ?? []), field]);
  const lines = [...fieldsByReason].map(([reason, fields]) =>
    fields.length > 1 ? `  ${reason}: ${fields.join(', ')}` : `  ${fields.join('')}: ${reason}`,
  );
  return [lead, ...lines];
}

/** An error as the person at the terminal should read it: what went wrong, which fields, which request. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const [lead, ...issues] = explainIssues(error.message, error.issues);
    const lines = [
      `error: ${lead} (${[error.status, error.errorName].filter(Boolean).join(' ')})`,
      ...issues,
    ];
    if (error.status === 401) lines.push(`  signed in as ${error.caller}; the token was not accepted`);
    if (error.status === 403) lines.push(`  signed in as ${error.caller}`);
    if (error.requestId) lines.push(`  request id: ${error.requestId}`);
    return lines.join('\n');
  }
  // Settings checked here, as the API would check them (`sample size`), read as the API's refusals do.
  if (error instanceof ValidationError) {
    const [lead, ...issues] = explainIssues(error.message, error.issues);
    return [`error: ${lead}`, ...issues].join('\n');
  }
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}
