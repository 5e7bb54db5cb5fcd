/**
 * The steps of the import workflow (workflows/import-decisions.ts) and the payloads they pass.
 * Each step is safe to retry: planning only reads, a chunk writes decisions under deterministic
 * ids and its error part under a fixed key, and the summary overwrites the same report and record.
 */

import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { s3 } from '../aws-clients.ts';
import { toDecision } from '../decisions/decision.ts';
import { putDecisionOnce } from '../decisions/decision-store.ts';
import { ValidationError } from '../errors.ts';
import { deterministicId } from '../ids.ts';
import { ChunkSchema, planChunks } from './chunk-plan.ts';
import { parseChunkRows } from './chunk-rows.ts';
import { checkForceExportHeader } from './force-export.ts';
import {
  addCounts,
  IMPORT_FORMATS,
  type ImportCounts,
  ImportCountsSchema,
  ZERO_COUNTS,
} from './import-record.ts';
import { recordImportCompletion } from './import-store.ts';

/** What starts an import execution (its name is the import id, so a second start is refused). */
/** The uploaded file an import reads. */
export const ImportFileSchema = z.object({
  importId: z.string(),
  bucket: z.string(),
  objectKey: z.string(),
  format: z.enum(IMPORT_FORMATS),
});
export type ImportFile = z.infer<typeof ImportFileSchema>;

export const ImportWorkflowInputSchema = ImportFileSchema.extend({
  /** Who started the import: the actor of the audit event for the decisions it collects. */
  startedBy: z.object({ subject: z.string(), roles: z.array(z.string()) }),
});
export type ImportWorkflowInput = z.infer<typeof ImportWorkflowInputSchema>;

export const ImportPlanSchema = z.object({
  header: z.array(z.string()),
  chunks: z.array(ChunkSchema),
  totalBytes: z.number().int().nonnegative(),
});

export const ImportChunkInputSchema = ImportFileSchema.extend({
  header: z.array(z.string()),
  chunk: ChunkSchema,
});

export const ChunkResultSchema = z.object({
  index: z.number().int().nonnegative(),
  counts: ImportCountsSchema,
  errorPartKey: z.string().optional(),
});
export type ChunkResult = z.infer<typeof ChunkResultSchema>;

export const SummariseImportInputSchema = ImportWorkflowInputSchema.extend({
  results: z.array(ChunkResultSchema),
  executionId: z.string(),
});

export const ImportSummarySchema = z.object({
  importId: z.string(),
  counts: ImportCountsSchema,
  errorReportKey: z.string().optional(),
});

const errorPartKey = (importId: string, index: number) =>
  `errors/${importId}/parts/${String(index).padStart(6, '0')}.csv`;
const errorReportKey = (importId: string) => `errors/${importId}/errors.csv`;

const WRITE_CONCURRENCY = 16;

export async function planImport(input: ImportFile): Promise<z.infer<typeof ImportPlanSchema>> {
  const object = await s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: input.objectKey }));
  if (!object.Body)
    throw new ValidationError('The uploaded file is empty', [{ field: 'file', reason: 'empty' }]);
  const plan = await planChunks(object.Body as AsyncIterable<Uint8Array>);
  const [header = []] = parse(plan.headerLine) as string[][];
  const issues = checkForceExportHeader(header);
  if (issues.length > 0) {
    throw new ValidationError(
      `The file's header is not a ${input.format} header: ${issues.map((i) => `${i.field} (${i.reason})`).join(', ')}`,
      issues,
    );
  }
  return { header, chunks: plan.chunks, totalBytes: plan.totalBytes };
}

export async function importChunk(input: z.infer<typeof ImportChunkInputSchema>): Promise<ChunkResult> {
  const { chunk } = input;
  const object = await s3.send(
    new GetObjectCommand({
      Bucket: input.bucket,
      Key: input.objectKey,
      Range: `bytes=${chunk.start}-${chunk.end - 1}`,
    }),
  );
  const text = (await object.Body?.transformToString('utf8')) ?? '';
  const rows = parseChunkRows(text, input.header, chunk.firstLine);
  const importedAt = new Date().toISOString();
  let counts: ImportCounts = { ...ZERO_COUNTS };
  const errorRows: string[][] = [];
  const pending: Promise<void>[] = [];

  const writeRow = async (row: (typeof rows)[number]): Promise<void> => {
    if (row.kind === 'blank') {
      counts = addCounts(counts, { ...ZERO_COUNTS, skipped: 1 });
    } else if (row.kind === 'rejected') {
      counts = addCounts(counts, { ...ZERO_COUNTS, read: 1, rejected: 1 });
      for (const issue of row.issues) errorRows.push([String(row.line), issue.field, issue.reason]);
    } else {
      const { record } = row;
      const decisionId = deterministicId(
        'dec',
        record.crimeReference,
        record.decidingBody,
        record.outcomeCode,
        record.decisionDate,
      );
      const decision = toDecision(
        record,
        decisionId,
        { importId: input.importId, sourceLine: row.line },
        importedAt,
      );
      const outcome = await putDecisionOnce(decision);
      counts = addCounts(counts, {
        ...ZERO_COUNTS,
        read: 1,
        [outcome === 'written' ? 'accepted' : 'duplicates']: 1,
      });
    }
  };
  for (const row of rows) {
    pending.push(writeRow(row));
    if (pending.length >= WRITE_CONCURRENCY) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);

  if (errorRows.length === 0) return { index: chunk.index, counts };
  errorRows.sort((a, b) => Number(a[0]) - Number(b[0]));
  const key = errorPartKey(input.importId, chunk.index);
  await s3.send(
    new PutObjectCommand({
      Bucket: input.bucket,
      Key: key,
      Body: stringify(errorRows),
      ContentType: 'text/csv',
    }),
  );
  return { index: chunk.index, counts, errorPartKey: key };
}

/** Adds up the chunk counts, joins the error parts into one report (streamed), and records the result. */
export async function summariseImport(
  input: z.infer<typeof SummariseImportInputSchema>,
): Promise<z.infer<typeof ImportSummarySchema>> {
  const counts = input.results.reduce((total, result) => addCounts(total, result.counts), { ...ZERO_COUNTS });
  const parts = input.results
    .filter((result) => result.errorPartKey)
    .sort((a, b) => a.index - b.index)
    .map((result) => result.errorPartKey as string);
  let reportKey: string | undefined;
  if (parts.length > 0) {
    reportKey = errorReportKey(input.importId);
    const bucket = input.bucket;
    async function* report(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('line,field,reason\n');
      for (const part of parts) {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: part }));
        yield* object.Body as AsyncIterable<Uint8Array>;
      }
    }
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: reportKey, Body: Readable.from(report()), ContentType: 'text/csv' },
    }).done();
  }
  await recordImportCompletion(input.importId, counts, reportKey, new Date().toISOString());
  await appendAuditEvents([
    auditEvent(
      input.startedBy,
      { action: 'collect', recordType: 'import', recordId: input.importId, detail: { ...counts } },
      input.executionId,
      'import-decisions/SummariseImport',
    ),
  ]);
  return { importId: input.importId, counts, ...(reportKey ? { errorReportKey: reportKey } : {}) };
}
