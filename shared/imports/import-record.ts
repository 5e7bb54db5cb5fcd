import { z } from 'zod';

export const IMPORT_FORMATS = ['force-csv', 'force-ndjson', 'police-uk'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const IMPORT_STATUSES = [
  'AWAITING_UPLOAD',
  'QUEUED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'EXPIRED',
] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

const count = () => z.number().int().nonnegative();

/** Why a line of a file was skipped: it holds no decision to import. */
export const SKIP_REASONS = ['blankLine', 'noCrimeId', 'crimeTypeOutOfScope'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const SkippedBySchema = z
  .object({
    blankLine: count().describe('Blank lines'),
    noCrimeId: count().describe('police.uk rows without a Crime ID: anti-social behaviour, not crimes'),
    crimeTypeOutOfScope: count().describe(
      'police.uk rows of a crime type that holds no VAWG offence (burglary, vehicle crime, …)',
    ),
  })
  .describe('`skipped`, by reason');
export type SkippedBy = z.infer<typeof SkippedBySchema>;

export const ImportCountsSchema = z.object({
  read: count().describe('Data rows read from the file'),
  accepted: count().describe('Rows written as decisions by this import'),
  updated: count()
    .default(0)
    .describe(
      'Rows that changed a decision imported before (a corrected re-export); its earlier values are kept in its history',
    ),
  rejected: count().describe('Rows refused, each listed in the error report'),
  skipped: count().describe('Blank rows and rows that are not decisions'),
  // Absent from the counts of imports recorded before skipped rows were told apart.
  skippedBy: SkippedBySchema.optional(),
  duplicates: count().describe('Rows whose decision was already imported with the same values'),
});
export type ImportCounts = z.infer<typeof ImportCountsSchema>;

export const NO_SKIPS: SkippedBy = { blankLine: 0, noCrimeId: 0, crimeTypeOutOfScope: 0 };

export const ZERO_COUNTS: ImportCounts = {
  read: 0,
  accepted: 0,
  updated: 0,
  rejected: 0,
  skipped: 0,
  skippedBy: NO_SKIPS,
  duplicates: 0,
};

export function addCounts(a: ImportCounts, b: ImportCounts): ImportCounts {
  const [x = NO_SKIPS, y = NO_SKIPS] = [a.skippedBy, b.skippedBy];
  return {
    read: a.read + b.read,
    accepted: a.accepted + b.accepted,
    updated: a.updated + b.updated,
    rejected: a.rejected + b.rejected,
    skipped: a.skipped + b.skipped,
    skippedBy: Object.fromEntries(SKIP_REASONS.map((reason) => [reason, x[reason] + y[reason]])) as SkippedBy,
    duplicates: a.duplicates + b.duplicates,
  };
}

/** What a police.uk outcomes file did to the crimes it names. */
export const OutcomeCountsSchema = z.object({
  read: z.number().int().nonnegative(),
  applied: z.number().int().nonnegative().describe('Outcome rows recorded on an imported crime'),
  unmatched: z
    .number()
    .int()
    .nonnegative()
    .describe('Outcome rows for crimes not imported yet: kept, and applied when the crime is imported'),
  rejected: z.number().int().nonnegative(),
});
export type OutcomeCounts = z.infer<typeof OutcomeCountsSchema>;

export const ImportRecordSchema = z.object({
  importId: z.string(),
  format: z.enum(IMPORT_FORMATS),
  fileName: z.string(),
  objectKey: z.string(),
  outcomesFileName: z.string().optional(),
  outcomesObjectKey: z.string().optional(),
  status: z.enum(IMPORT_STATUSES),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  completedAt: z.iso.datetime().optional(),
  progress: z.object({ chunksTotal: z.number().int(), chunksDone: z.number().int() }).optional(),
  counts: ImportCountsSchema.optional(),
  outcomeCounts: OutcomeCountsSchema.optional(),
  errorReportKey: z.string().optional(),
  failure: z.string().optional().describe('The name of the error that failed the import'),
  problem: z
    .object({
      message: z.string(),
      issues: z.array(z.object({ field: z.string(), reason: z.string() })),
    })
    .optional()
    .describe('Why the file was refused as a whole: a wrong header, an empty, binary or non-UTF-8 file'),
});
export type ImportRecord = z.infer<typeof ImportRecordSchema>;

/** The name of the file as the person had it, kept for them to recognise: any name, without folders. */
const FileNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^/\\\p{Cc}]+$/u, 'a file name without folders or control characters');

export const CreateImportRequestSchema = z
  .object({
    format: z.enum(IMPORT_FORMATS).describe('The layout of the file to be uploaded'),
    fileName: FileNameSchema,
    outcomesFileName: FileNameSchema.optional().describe('police-uk only: the matching outcomes file'),
  })
  .refine((request) => request.outcomesFileName === undefined || request.format === 'police-uk', {
    path: ['outcomesFileName'],
    message: 'an outcomes file goes only with the police-uk format',
  });

export const CreateImportResponseSchema = z.object({
  importId: z.string(),
  uploadUrl: z.url().describe('Presigned S3 PUT URL for the file, valid for 15 minutes'),
  outcomesUploadUrl: z.url().optional().describe('Presigned S3 PUT URL for the outcomes file'),
  uploadExpiresAt: z.iso.datetime(),
});

export const ImportErrorReportLinkSchema = z.object({
  url: z.url().describe('Presigned S3 GET URL of the error report (CSV: line,field,reason)'),
  expiresAt: z.iso.datetime(),
});

export const ImportIdParamsSchema = z.object({
  importId: z.string().regex(/^imp_[0-9a-z]{26}$/, 'an import id such as imp_01j…'),
});
