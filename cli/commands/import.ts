/**
 * `scrutineer import FILE`: registers an export with the API, uploads it to the presigned URL it
 * gets back, starts the import workflow and follows it to the end, then sums up what landed.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { parse } from 'csv-parse';
import { IMPORT_FORMATS, type ImportFormat } from '../../shared/imports/import-record.ts';
import { type ApiClient, ApiError, download, uploadFile } from '../api-client.ts';
import { connect, withSignInOptions } from '../config.ts';
import { detectFormat } from '../import-file.ts';
import { formatCounts, formatProblem, getImport, type ImportRecord, isFinished } from '../imports.ts';
import {
  describeError,
  formatBytes,
  formatBytesValue,
  formatTable,
  progressBar,
  result,
  status,
} from '../output.ts';

const POLL_INTERVAL_MS = 500;
const ERRORS_SHOWN = 10;

interface ImportOptions {
  readonly format?: ImportFormat;
  readonly outcomes?: string;
  readonly wait: boolean;
}

interface CreatedImport {
  readonly importId: string;
  readonly uploadUrl: string;
  readonly outcomesUploadUrl?: string;
  readonly uploadExpiresAt: string;
}

export function addImportCommand(program: Command): void {
  withSignInOptions(
    program
      .command('import')
      .description('import a decision export: upload it, run the import and sum up what landed')
      .argument('<file>', 'the export to import')
      .addOption(
        new Option(
          '--format <format>',
          'the layout of the file (default: force-ndjson for .ndjson and .jsonl; for a CSV file, the ' +
            'format whose header it has)',
        ).choices(IMPORT_FORMATS),
      )
      .option('--outcomes <file>', 'the police.uk outcomes file that goes with a police-uk street file')
      .option('--no-wait', 'print the import id once the import has started, without following it'),
  ).action(async (file: string, options: ImportOptions, command: Command) => {
    await importExport(file, options, command);
  });
}

async function importExport(file: string, options: ImportOptions, command: Command): Promise<void> {
  await assertReadable(file);
  const format = options.format ?? (await detectFormat(file));
  if (format === 'police-uk-outcomes') {
    command.error(
      `error: ${file} is a police.uk outcomes file; import it with its street file: ` +
        `scrutineer import STREET_FILE --outcomes ${file}`,
    );
  }
  if (options.outcomes !== undefined) {
    if (format !== 'police-uk') {
      command.error(`error: --outcomes goes with --format police-uk, but ${file} is imported as ${format}`);
    }
    await assertReadable(options.outcomes);
  }
  const client = await connect(command);

  const created = await client.post<CreatedImport>('/imports', {
    format,
    fileName: path.basename(file),
    ...(options.outcomes !== undefined ? { outcomesFileName: path.basename(options.outcomes) } : {}),
  });
  const { importId } = created;
  status(`Registered import ${importId} (${format}).`);

  await upload(file, created.uploadUrl);
  if (options.outcomes !== undefined) {
    if (!created.outcomesUploadUrl) {
      throw new Error(`The API gave no upload URL for the outcomes file of import ${importId}.`);
    }
    await upload(options.outcomes, created.outcomesUploadUrl);
  }

  await client.post(`/imports/${importId}/start`);
  if (!options.wait) {
    status(`Started import ${importId}; follow it with: scrutineer imports show ${importId}`);
    result(importId);
    return;
  }
  const record = await followImport(client, importId);
  if (record.status === 'COMPLETED') await printSummary(client, record);
  else {
    printFailure(record);
    process.exitCode = 1;
  }
}

async function assertReadable(file: string): Promise<void> {
  const found = await stat(file).catch(() => undefined);
  if (!found?.isFile()) throw new Error(`There is no file ${file}.`);
}

async function upload(file: string, url: string): Promise<void> {
  const { size } = await stat(file);
  const name = path.basename(file);
  const bar = progressBar({
    format: `Uploading ${name} |{bar}| {percentage}% | {value} of {total}`,
    formatValue: formatBytesValue,
  });
  if (bar) bar.start(size, 0);
  else status(`Uploading ${name} (${formatBytes(size)})…`);
  try {
    await uploadFile(url, file, (sent) => bar?.update(sent));
  } finally {
    bar?.stop();
  }
  if (!bar) status(`Uploaded ${name}.`);
}

/** Polls the import until it is finished, showing chunks done while it runs. */
async function followImport(client: ApiClient, importId: string): Promise<ImportRecord> {
  const bar = progressBar({ format: 'Importing |{bar}| {status}{chunks}', emptyOnZero: true });
  bar?.start(0, 0, { status: 'QUEUED', chunks: '' });
  let lastLine = '';
  const stopWatching = () => {
    bar?.stop();
    status(`\nStopped following; the import carries on. See it with: scrutineer imports show ${importId}`);
    process.exit(130);
  };
  process.once('SIGINT', stopWatching);
  try {
    for (;;) {
      const record = await getImport(client, importId);
      const finished = isFinished(record);
      // Without chunk counts from the API, the bar fills only when the import completes.
      const { chunksTotal, chunksDone } = record.progress ?? { chunksTotal: 1, chunksDone: 0 };
      const chunks = record.progress ? ` (${chunksDone} of ${chunksTotal} chunks)` : '';
      if (bar) {
        bar.setTotal(chunksTotal);
        bar.update(record.status === 'COMPLETED' ? chunksTotal : chunksDone, {
          status: record.status,
          chunks,
        });
      } else {
        const line = `Import ${importId}: ${record.status}${chunks}`;
        if (line !== lastLine) status(line);
        lastLine = line;
      }
      if (finished) return record;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  } finally {
    bar?.stop();
    process.removeListener('SIGINT', stopWatching);
  }
}

async function printSummary(client: ApiClient, record: ImportRecord): Promise<void> {
  result(`Import ${record.importId} ${record.status}: ${record.fileName} (${record.format})`);
  if (record.counts || record.outcomeCounts) result(`\n${formatCounts(record)}`);
  if ((record.counts?.rejected ?? 0) > 0) {
    try {
      const problems = await firstProblems(client, record.importId);
      if (problems) result(`\n${formatProblems(problems, record)}`);
    } catch (error) {
      status(`Could not fetch the error report: ${describeError(error).replace(/^error: /, '')}`);
    }
  }
  result(`\nDetails: scrutineer imports show ${record.importId}`);
}

interface Problems {
  /** The report's columns: `line,field,reason`, led by `file` when there was an outcomes file. */
  readonly columns: readonly string[];
  readonly first: readonly (readonly string[])[];
  readonly total: number;
}

/** The first lines of the error report, counting the rest without keeping them. */
async function firstProblems(client: ApiClient, importId: string): Promise<Problems | undefined> {
  let url: string;
  try {
    ({ url } = await client.get<{ url: string }>(`/imports/${importId}/errors`));
  } catch (error) {
    // No report to fetch, or an API from before error reports could be fetched.
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
  let columns: string[] = [];
  const rows = (await download(url)).pipe(
    parse({
      columns: (header: string[]) => {
        columns = header;
        return header;
      },
    }),
  );
  const first: string[][] = [];
  let total = 0;
  for await (const row of rows as AsyncIterable<Record<string, string>>) {
    total += 1;
    if (first.length < ERRORS_SHOWN) first.push(columns.map((column) => row[column] ?? ''));
  }
  return { columns, first, total };
}

function formatProblems({ columns, first, total }: Problems, record: ImportRecord): string {
  const heading =
    total > first.length ? `Problems (first ${first.length} of ${total}):` : `Problems (${total}):`;
  const more =
    total > first.length
      ? `\n  … and ${total - first.length} more in the error report${record.errorReportKey ? ` (${record.errorReportKey})` : ''}`
      : '';
  return `${heading}\n${formatTable([columns, ...first])}${more}`;
}

function printFailure(record: ImportRecord): void {
  status(`error: import ${record.importId} ${record.status}${record.failure ? `: ${record.failure}` : ''}`);
  if (record.problem) status(formatProblem(record.problem, '  '));
  status(`Details: scrutineer imports show ${record.importId}`);
}
