/**
 * The steps of the import workflow (workflows/import-decisions.ts) and the payloads they pass.
 * Each step is safe to retry: planning only reads, a chunk writes decisions under deterministic
 * ids (a retried chunk finds its own rows and counts them once), a police.uk crime's decision
 * keeps the greatest of its outcomes whatever the order they come in (shared/decisions/
 * decision-store.ts), and the summary overwrites the same report and record.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { s3 } from '../aws-clients.ts';
import { type Decision, type DecisionRecord, toDecision } from '../decisions/decision.ts';
import { type ForceDecisionWrite, putForceDecision } from '../decisions/decision-revisions.ts';
import { applyOutcome, putPoliceUkDecision } from '../decisions/decision-store.ts';
import { recordedOutcome } from '../decisions/police-uk-outcomes.ts';
import { type ReferencePair, sealReferences } from '../decisions/reidentification.ts';
import { type FieldIssue, ValidationError } from '../errors.ts';
import { deterministicId } from '../ids.ts';
import { ChunkSchema, planChunks } from './chunk-plan.ts';
import { parseDecisionRows, parseOutcomeRows } from './chunk-rows.ts';
import { type CsvFile, describeResemblance, resemblances } from './csv-formats.ts';
import { checkForceExportHeader } from './force-export.ts';
import {
  addCounts,
  IMPORT_FORMATS,
  type ImportCounts,
  ImportCountsSchema,
  type ImportFormat,
  NO_SKIPS,
  type OutcomeCounts,
  OutcomeCountsSchema,
  type SkipReason,
  ZERO_COUNTS,
} from './import-record.ts';
import {
  recordChunkDone,
  recordImportCompletion,
  recordImportProblem,
  recordPlannedChunks,
} from './import-store.ts';
import { checkPoliceUkHeader, POLICE_UK_OUTCOMES_HEADER, POLICE_UK_STREET_HEADER } from './police-uk.ts';
import { pseudonym, pseudonymiseRecord, pseudonymKey } from './pseudonymise.ts';

/** The uploaded file(s) an import reads. */
export const ImportFileSchema = z.object({
  importId: z.string(),
  bucket: z.string(),
  objectKey: z.string(),
  outcomesObjectKey: z.string().optional(),
  format: z.enum(IMPORT_FORMATS),
});
export type ImportFile = z.infer<typeof ImportFileSchema>;

export const ImportWorkflowInputSchema = ImportFileSchema.extend({
  /** Who started the import: the actor of the audit event for the decisions it collects. */
  startedBy: z.object({ subject: z.string(), roles: z.array(z.string()) }),
});
export type ImportWorkflowInput = z.infer<typeof ImportWorkflowInputSchema>;

const FilePlanSchema = z.object({ header: z.array(z.string()), chunks: z.array(ChunkSchema) });

export const ImportPlanSchema = FilePlanSchema.extend({
  /** police-uk only: the outcomes file, applied after every street chunk. */
  outcomes: FilePlanSchema,
});
export type ImportPlan = z.infer<typeof ImportPlanSchema>;

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

export const OutcomeChunkResultSchema = z.object({
  index: z.number().int().nonnegative(),
  counts: OutcomeCountsSchema,
  errorPartKey: z.string().optional(),
});

export const SummariseImportInputSchema = ImportWorkflowInputSchema.extend({
  results: z.array(ChunkResultSchema),
  outcomeResults: z.array(OutcomeChunkResultSchema),
  execution: z.object({ id: z.string() }),
});

export const ImportSummarySchema = z.object({
  importId: z.string(),
  counts: ImportCountsSchema,
  outcomeCounts: OutcomeCountsSchema.optional(),
  errorReportKey: z.string().optional(),
});

const errorPartKey = (importId: string, file: 'file' | 'outcomes', index: number) =>
  `errors/${importId}/parts/${file}-${String(index).padStart(6, '0')}.csv`;
const errorReportKey = (importId: string) => `errors/${importId}/errors.csv`;

const WRITE_CONCURRENCY = 16;
/** Outcome chunks are counted in the same progress set as the street chunks, after them. */
const OUTCOME_CHUNK_OFFSET = 1_000_000;

async function readRange(
  input: { bucket: string },
  key: string,
  start: number,
  end: number,
): Promise<string> {
  const object = await s3.send(
    new GetObjectCommand({ Bucket: input.bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
  );
  return (await object.Body?.transformToString('utf8')) ?? '';
}

/** "; it looks like …" when the header resembles another kind of file more than the one expected. */
function resemblingInstead(header: readonly string[], expected: CsvFile | 'force-ndjson'): string {
  const all = resemblances(header);
  const [closest] = all;
  const found = all.find((resemblance) => resemblance.file === expected)?.found ?? 0;
  return closest && closest.file !== expected && closest.found > found
    ? `; ${describeResemblance(closest)}`
    : '';
}

async function planFile(bucket: string, key: string, format: ImportFormat | 'police-uk-outcomes') {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const ndjson = format === 'force-ndjson';
  const plan = await planChunks(object.Body as AsyncIterable<Uint8Array>, {
    hasHeader: !ndjson,
    quoteAware: !ndjson,
  });
  const [header = []] = ndjson ? [[]] : (parse(plan.headerLine, { relax_column_count: true }) as string[][]);
  const issues: FieldIssue[] =
    format === 'force-csv'
      ? checkForceExportHeader(header)
      : format === 'police-uk'
        ? checkPoliceUkHeader(header, POLICE_UK_STREET_HEADER)
        : format === 'police-uk-outcomes'
          ? checkPoliceUkHeader(header, POLICE_UK_OUTCOMES_HEADER)
          : [];
  if (issues.length > 0) {
    const what = format === 'police-uk-outcomes' ? 'police.uk outcomes' : format;
    throw new ValidationError(
      `The file's header is not a ${what} header${resemblingInstead(header, format)}: ` +
        issues.map((i) => `${i.field} (${i.reason})`).join(', '),
      issues,
    );
  }
  return { header, chunks: plan.chunks };
}

/** Checks the header(s) and splits the file(s) into chunks of whole records, reading each once. */
export async function planImport(input: ImportFile): Promise<ImportPlan> {
  try {
    const file = await planFile(input.bucket, input.objectKey, input.format);
    const outcomes = input.outcomesObjectKey
      ? await planFile(input.bucket, input.outcomesObjectKey, 'police-uk-outcomes')
      : { header: [], chunks: [] };
    await recordPlannedChunks(input.importId, file.chunks.length + outcomes.chunks.length);
    return { ...file, outcomes };
  } catch (error) {
    // Nothing has been written yet; say why on the import, then fail the workflow.
    if (error instanceof ValidationError)
      await recordImportProblem(input.importId, error.message, error.issues);
    throw error;
  }
}

/** The id of a police.uk crime's one decision, from its pseudonymised reference. */
const policeUkDecisionId = (crimeReference: string) => deterministicId('dec', 'police-uk', crimeReference);

/** police.uk decisions are one per crime, whatever its outcome; a force decision is one outcome. */
function decisionIdOf(record: DecisionRecord): string {
  return record.source === 'police-uk'
    ? policeUkDecisionId(record.crimeReference)
    : // Not the outcome code: a corrected outcome is the same decision, updated.
      deterministicId('dec', record.crimeReference, record.decidingBody, record.decisionDate);
}

async function writeErrorPart(bucket: string, key: string, rows: string[][]): Promise<void> {
  rows.sort((a, b) => Number(a[0]) - Number(b[0]));
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: stringify(rows), ContentType: 'text/csv' }),
  );
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_CONCURRENCY) {
    await Promise.all(items.slice(i, i + WRITE_CONCURRENCY).map(work));
  }
}

/** A police.uk decision also takes up the outcomes published for its crime before it arrived. */
function writeDecision(decision: Decision): Promise<ForceDecisionWrite> {
  if (decision.source !== 'police-uk') return putForceDecision(decision);
  const { outcomeCategory = '', outcomeMonth = decision.decisionDate.slice(0, 7) } = decision;
  return putPoliceUkDecision(
    decision,
    recordedOutcome({ category: outcomeCategory, month: outcomeMonth, file: 'street' }),
  );
}

export async function importChunk(input: z.infer<typeof ImportChunkInputSchema>): Promise<ChunkResult> {
  const { chunk } = input;
  const key = await pseudonymKey();
  const text = await readRange(input, input.objectKey, chunk.start, chunk.end);
  const rows = parseDecisionRows(input.format, text, input.header, chunk.firstLine);
  const importedAt = new Date().toISOString();
  let counts: ImportCounts = { ...ZERO_COUNTS };
  const errorRows: string[][] = [];
  const add = (delta: Partial<ImportCounts>) => {
    counts = addCounts(counts, { ...ZERO_COUNTS, ...delta });
  };
  const skip = (reason: SkipReason) => ({ skipped: 1, skippedBy: { ...NO_SKIPS, [reason]: 1 } });
  const references: ReferencePair[] = [];

  await inBatches(rows, async (row) => {
    if (row.kind === 'blank') return add(skip('blankLine'));
    if (row.kind === 'skipped') return add({ read: 1, ...skip(row.reason) });
    if (row.kind === 'rejected') {
      for (const issue of row.issues) errorRows.push([String(row.line), issue.field, issue.reason]);
      return add({ read: 1, rejected: 1 });
    }
    const record = pseudonymiseRecord(row.record, key);
    references.push({ crimeReference: record.crimeReference, original: row.record.crimeReference });
    const decision = toDecision(
      record,
      decisionIdOf(record),
      { importId: input.importId, sourceLine: row.line },
      importedAt,
    );
    const outcome = await writeDecision(decision);
    const counted = { written: 'accepted', updated: 'updated', duplicate: 'duplicates' } as const;
    add({ read: 1, [counted[outcome]]: 1 });
  });

  await sealReferences(references, importedAt);
  const partKey = errorRows.length > 0 ? errorPartKey(input.importId, 'file', chunk.index) : undefined;
  if (partKey) await writeErrorPart(input.bucket, partKey, errorRows);
  await recordChunkDone(input.importId, chunk.index);
  return { index: chunk.index, counts, ...(partKey ? { errorPartKey: partKey } : {}) };
}

/**
 * Applies one chunk of a police.uk outcomes file: each row is recorded on its crime's decision, or
 * kept for a crime not imported yet (its street row takes it up). The greatest outcome wins
 * whatever the order, so re-applying a file changes nothing.
 */
export const OutcomesChunkInputSchema = ImportChunkInputSchema.extend({ outcomesObjectKey: z.string() });

export async function applyOutcomesChunk(
  input: z.infer<typeof OutcomesChunkInputSchema>,
): Promise<z.infer<typeof OutcomeChunkResultSchema>> {
  const { chunk } = input;
  const key = await pseudonymKey();
  const text = await readRange(input, input.outcomesObjectKey, chunk.start, chunk.end);
  const rows = parseOutcomeRows(text, input.header, chunk.firstLine);
  const counts: OutcomeCounts = { read: 0, applied: 0, unmatched: 0, rejected: 0 };
  const errorRows: string[][] = [];

  await inBatches(rows, async (row) => {
    if (row.kind === 'blank') return;
    counts.read++;
    if (row.kind === 'rejected') {
      counts.rejected++;
      for (const issue of row.issues) errorRows.push([String(row.line), issue.field, issue.reason]);
      return;
    }
    const decisionId = policeUkDecisionId(pseudonym(key, 'crime', row.outcome.crimeId));
    const outcome = recordedOutcome({
      category: row.outcome.outcomeType,
      month: row.outcome.month,
      file: 'outcomes',
    });
    if ((await applyOutcome(decisionId, outcome)) === 'applied') counts.applied++;
    else counts.unmatched++;
  });

  const partKey = errorRows.length > 0 ? errorPartKey(input.importId, 'outcomes', chunk.index) : undefined;
  if (partKey) await writeErrorPart(input.bucket, partKey, errorRows);
  await recordChunkDone(input.importId, OUTCOME_CHUNK_OFFSET + chunk.index);
  return { index: chunk.index, counts, ...(partKey ? { errorPartKey: partKey } : {}) };
}

/** Adds up the chunk counts, joins the error parts into one report (streamed), and records the result. */
export async function summariseImport(
  input: z.infer<typeof SummariseImportInputSchema>,
): Promise<z.infer<typeof ImportSummarySchema>> {
  const counts = input.results.reduce((total, result) => addCounts(total, result.counts), { ...ZERO_COUNTS });
  const outcomeCounts = input.outcomesObjectKey
    ? input.outcomeResults.reduce(
        (total, { counts: c }) => ({
          read: total.read + c.read,
          applied: total.applied + c.applied,
          unmatched: total.unmatched + c.unmatched,
          rejected: total.rejected + c.rejected,
        }),
        { read: 0, applied: 0, unmatched: 0, rejected: 0 },
      )
    : undefined;
  const parts = [...input.results, ...input.outcomeResults]
    .filter((result) => result.errorPartKey)
    .map((result) => result.errorPartKey as string)
    .sort();
  let reportKey: string | undefined;
  if (parts.length > 0) {
    reportKey = errorReportKey(input.importId);
    const bucket = input.bucket;
    const withFile = input.outcomesObjectKey !== undefined;
    async function* report(): AsyncGenerator<Uint8Array | string> {
      yield withFile ? 'file,line,field,reason\n' : 'line,field,reason\n';
      for (const part of parts) {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: part }));
        if (!withFile) {
          yield* object.Body as AsyncIterable<Uint8Array>;
          continue;
        }
        const file = part.includes('/outcomes-') ? 'outcomes' : 'street';
        const text = (await object.Body?.transformToString('utf8')) ?? '';
        yield stringify((parse(text) as string[][]).map((row) => [file, ...row]));
      }
    }
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: reportKey, Body: Readable.from(report()), ContentType: 'text/csv' },
    }).done();
  }
  await recordImportCompletion(input.importId, counts, outcomeCounts, reportKey, new Date().toISOString());
  // Audit details are flat: the reasons for skipping come as `skipped.<reason>`.
  const { skippedBy = NO_SKIPS, ...totals } = counts;
  const detail = {
    ...totals,
    ...Object.fromEntries(Object.entries(skippedBy).map(([reason, n]) => [`skipped.${reason}`, n])),
  };
  await appendAuditEvents([
    auditEvent(
      input.startedBy,
      { action: 'collect', recordType: 'import', recordId: input.importId, detail },
      input.execution.id,
      'import-decisions/SummariseImport',
    ),
  ]);
  return {
    importId: input.importId,
    counts,
    ...(outcomeCounts ? { outcomeCounts } : {}),
    ...(reportKey ? { errorReportKey: reportKey } : {}),
  };
}
