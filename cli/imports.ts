/** Import records as the CLI reads and shows them. */
import type { ApiClient, FieldIssue } from './api-client.ts';
import { explainIssues, formatTable } from './output.ts';

export interface ImportCounts {
  readonly read: number;
  readonly accepted: number;
  /** Absent from imports recorded before updates were counted. */
  readonly updated?: number;
  readonly rejected: number;
  readonly skipped: number;
  /** `skipped` by reason; absent from imports recorded before reasons were counted. */
  readonly skippedBy?: Readonly<Record<string, number>>;
  readonly duplicates: number;
}

/** What a police.uk outcomes file did to the crimes of its street file. */
export interface OutcomeCounts {
  readonly read: number;
  readonly applied: number;
  readonly unmatched: number;
  readonly rejected: number;
}

export interface ImportRecord {
  readonly importId: string;
  readonly format: string;
  readonly fileName: string;
  readonly outcomesFileName?: string;
  readonly status: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
  readonly progress?: { readonly chunksTotal: number; readonly chunksDone: number };
  readonly counts?: ImportCounts;
  readonly outcomeCounts?: OutcomeCounts;
  readonly errorReportKey?: string;
  readonly failure?: string;
  /** Why the file was refused as a whole: a wrong header, an empty, binary or non-UTF-8 file. */
  readonly problem?: { readonly message: string; readonly issues: readonly FieldIssue[] };
}

const COUNT_NAMES = ['read', 'accepted', 'updated', 'rejected', 'skipped', 'duplicates'] as const;
/** The reasons rows are skipped for, as the summary names them under `skipped`. */
const SKIP_REASON_NAMES: Readonly<Record<string, string>> = {
  blankLine: 'blank lines',
  noCrimeId: 'no Crime ID (anti-social behaviour)',
  crimeTypeOutOfScope: 'crime type outside the VAWG scope',
};

/** The counts as table rows: the skipped rows' reasons under `skipped`, those that occurred. */
function countRows(counts: ImportCounts): [string, number][] {
  return COUNT_NAMES.flatMap((name): [string, number][] => {
    const row: [string, number] = [name, counts[name] ?? 0];
    if (name !== 'skipped') return [row];
    const reasons = Object.entries(counts.skippedBy ?? {}).filter(([, n]) => n > 0);
    return [
      row,
      ...reasons.map(([reason, n]): [string, number] => [`  ${SKIP_REASON_NAMES[reason] ?? reason}`, n]),
    ];
  });
}
const OUTCOME_COUNT_NAMES = ['read', 'applied', 'unmatched', 'rejected'] as const;

/** Statuses an import moves on from by itself; any other is where it stays. */
const UNFINISHED_STATUSES = new Set(['AWAITING_UPLOAD', 'QUEUED', 'RUNNING']);

export function isFinished(record: Pick<ImportRecord, 'status'>): boolean {
  return !UNFINISHED_STATUSES.has(record.status);
}

export function getImport(client: ApiClient, importId: string): Promise<ImportRecord> {
  return client.get<ImportRecord>(`/imports/${encodeURIComponent(importId)}`);
}

/** Why a file was refused, as lines. */
export function formatProblem(problem: NonNullable<ImportRecord['problem']>, indent = ''): string {
  return explainIssues(problem.message, problem.issues)
    .map((line) => `${indent}${line}`)
    .join('\n');
}

/** The counts sections of a finished import: its rows, and its outcome rows when it had some. */
export function formatCounts(record: Pick<ImportRecord, 'counts' | 'outcomeCounts'>): string {
  const sections: string[] = [];
  const { counts, outcomeCounts } = record;
  if (counts) sections.push(`rows\n${formatTable(countRows(counts))}`);
  if (outcomeCounts) {
    sections.push(
      `outcome rows\n${formatTable(OUTCOME_COUNT_NAMES.map((name) => [name, outcomeCounts[name]]))}`,
    );
  }
  return sections.join('\n\n');
}

export function formatImport(record: ImportRecord): string {
  const fields: [string, string][] = [
    ['import', record.importId],
    ['status', record.status],
    ['format', record.format],
    ['file', record.fileName],
  ];
  if (record.outcomesFileName) fields.push(['outcomes file', record.outcomesFileName]);
  fields.push(['created', `${record.createdAt} by ${record.createdBy}`]);
  if (record.startedAt) fields.push(['started', record.startedAt]);
  if (record.completedAt) fields.push(['completed', record.completedAt]);
  if (record.progress && !isFinished(record)) {
    fields.push(['progress', `${record.progress.chunksDone} of ${record.progress.chunksTotal} chunks`]);
  }
  if (record.failure) fields.push(['failure', record.failure]);
  if (record.errorReportKey) fields.push(['error report', record.errorReportKey]);
  const sections = [formatTable(fields, '')];
  if (record.problem) sections.push(`problem\n${formatProblem(record.problem, '  ')}`);
  if (record.counts || record.outcomeCounts) sections.push(formatCounts(record));
  return sections.join('\n\n');
}
