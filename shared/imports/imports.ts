/** Registering an export for upload and starting its import. */
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { z } from 'zod';
import { onlyVisible, visibleTo } from '../access/policy.ts';
import { s3 } from '../aws-clients.ts';
import { ENV, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { newId } from '../ids.ts';
import { startExecutionOnce } from '../start-execution.ts';
import type {
  CreateImportRequestSchema,
  CreateImportResponseSchema,
  ImportErrorReportLinkSchema,
  ImportRecord,
} from './import-record.ts';
import { createImportRecord, getImportRecord, listImportRecords, markImportQueued } from './import-store.ts';
import type { ImportWorkflowInput } from './import-workflow.ts';

export const UPLOAD_URL_TTL_SECONDS = 15 * 60;
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

export async function createImport(
  request: z.infer<typeof CreateImportRequestSchema>,
  principal: Principal,
  now = new Date(),
): Promise<z.infer<typeof CreateImportResponseSchema>> {
  const importId = newId('imp', now.getTime());
  const record: ImportRecord = {
    importId,
    format: request.format,
    fileName: request.fileName,
    objectKey: `uploads/${importId}/source`,
    ...(request.outcomesFileName
      ? { outcomesFileName: request.outcomesFileName, outcomesObjectKey: `uploads/${importId}/outcomes` }
      : {}),
    status: 'AWAITING_UPLOAD',
    createdBy: principal.subject,
    createdAt: now.toISOString(),
  };
  await createImportRecord(record);
  const bucket = requireEnv(ENV.importsBucket);
  const uploadUrlFor = (key: string) =>
    getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: UPLOAD_URL_TTL_SECONDS,
    });
  const uploadExpiresAt = new Date(now.getTime() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString();
  return {
    importId,
    uploadUrl: await uploadUrlFor(record.objectKey),
    ...(record.outcomesObjectKey ? { outcomesUploadUrl: await uploadUrlFor(record.outcomesObjectKey) } : {}),
    uploadExpiresAt,
  };
}

async function requireUploaded(bucket: string, key: string, field: string): Promise<void> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') {
      throw new ValidationError('Upload the file before starting the import', [
        { field, reason: 'nothing has been uploaded for this import' },
      ]);
    }
    throw error;
  }
}

/** A short-lived link to an import's error report, for the person who may see the import. */
export async function errorReportLinkFor(
  principal: Principal,
  importId: string,
  now = new Date(),
): Promise<z.infer<typeof ImportErrorReportLinkSchema>> {
  const record = await getImportFor(principal, importId);
  if (!record.errorReportKey) throw new NotFoundError(`Import ${importId} has no error report`);
  const url = await getSignedUrl(
    s3,
    new GetObjectCommand({ Bucket: requireEnv(ENV.importsBucket), Key: record.errorReportKey }),
    { expiresIn: DOWNLOAD_URL_TTL_SECONDS },
  );
  return { url, expiresAt: new Date(now.getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString() };
}

/** One import, if the principal may see it; otherwise the same 404 as a missing one. */
export async function getImportFor(principal: Principal, importId: string): Promise<ImportRecord> {
  return visibleTo('import', principal, await getImportRecord(importId), `No import ${importId}`);
}

export async function listImportsFor(principal: Principal): Promise<ImportRecord[]> {
  return onlyVisible('import', principal, await listImportRecords());
}

export async function startImport(
  principal: Principal,
  importId: string,
): Promise<Pick<ImportRecord, 'importId' | 'status'>> {
  const record = await getImportFor(principal, importId);
  if (record.status !== 'AWAITING_UPLOAD')
    throw new ConflictError(`Import ${importId} has already been started`);
  const bucket = requireEnv(ENV.importsBucket);
  await requireUploaded(bucket, record.objectKey, 'file');
  if (record.outcomesObjectKey) await requireUploaded(bucket, record.outcomesObjectKey, 'outcomesFile');
  const input: ImportWorkflowInput = {
    importId,
    bucket,
    objectKey: record.objectKey,
    ...(record.outcomesObjectKey ? { outcomesObjectKey: record.outcomesObjectKey } : {}),
    format: record.format,
    startedBy: { subject: principal.subject, roles: [...principal.roles] },
  };
  // Named after the import, so a retried start finds the first execution.
  await startExecutionOnce(requireEnv(ENV.importStateMachine), importId, input);
  // After the start, so a failed start leaves the import startable; the workflow may already
  // have moved it on, which is fine.
  await markImportQueued(importId);
  return { importId, status: 'QUEUED' };
}
