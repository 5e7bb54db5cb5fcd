/**
 * Redacted case files (statements, decision logs) for a case's reviewers, in the case-files bucket
 * under `case-files/<caseId>/`: an admin uploads through a presigned URL, and a reviewer gets
 * short-lived links with the case. Working copies, not evidence: no Object Lock and no versions,
 * so a file uploaded unredacted by mistake is erased at once (`removeCaseFile`).
 */

import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../aws-clients.ts';
import { getCase } from '../cases/case-store.ts';
import { UNDER_REVIEW } from '../cases/review-case.ts';
import { ENV, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { recordHistory } from '../routing/assignment-store.ts';

/** How long a link to a case file works: long enough to open it, too short to pass around. */
export const CASE_FILE_LINK_SECONDS = 300;

/** Where redacted case files (statements, decision logs) for reviewers are kept, per case. */
export const caseFilesPrefix = (caseId: string) => `case-files/${caseId}/`;

/** Short-lived links to every file of the case. */
export async function caseFileLinks(caseId: string, now: Date) {
  const bucket = requireEnv(ENV.caseFilesBucket);
  const { Contents = [] } = await s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: caseFilesPrefix(caseId), MaxKeys: 100 }),
  );
  return {
    files: await Promise.all(
      Contents.filter((object) => object.Key).map(async (object) => ({
        name: String(object.Key).slice(caseFilesPrefix(caseId).length),
        bytes: object.Size ?? 0,
        url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: object.Key }), {
          expiresIn: CASE_FILE_LINK_SECONDS,
        }),
      })),
    ),
    expiresAt: new Date(now.getTime() + CASE_FILE_LINK_SECONDS * 1000).toISOString(),
  };
}

/** A presigned URL to upload one redacted case file, for the reviewers of the case. */
export async function caseFileUpload(
  caseId: string,
  fileName: string,
  contentType: string,
  now = new Date(),
) {
  const reviewCase = await getCase(caseId);
  if (!UNDER_REVIEW.includes(reviewCase.status)) {
    throw new ConflictError(
      `Case ${caseId} is ${reviewCase.status.toLowerCase()}: its reviewers need no more files`,
    );
  }
  const key = `${caseFilesPrefix(caseId)}${fileName}`;
  const uploadUrl = await getSignedUrl(
    s3,
    new PutObjectCommand({ Bucket: requireEnv(ENV.caseFilesBucket), Key: key, ContentType: contentType }),
    { expiresIn: CASE_FILE_LINK_SECONDS },
  );
  return { uploadUrl, key, expiresAt: new Date(now.getTime() + CASE_FILE_LINK_SECONDS * 1000).toISOString() };
}

/**
 * Removes one case file at once. The bucket keeps no earlier versions (working copies, not
 * evidence), so nothing of it is left to reach; the case's history (and so its evidence pack)
 * keeps only the fact, who did it, and the file's SHA-256. A file that is not there is a 404.
 */
export async function removeCaseFile(caseId: string, fileName: string, erasedBy: string, now = new Date()) {
  await getCase(caseId);
  const bucket = requireEnv(ENV.caseFilesBucket);
  const key = `${caseFilesPrefix(caseId)}${fileName}`;
  let sha256: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    sha256 = createHash('sha256')
      .update(Buffer.from((await object.Body?.transformToByteArray()) ?? []))
      .digest('hex');
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') {
      throw new NotFoundError(`Case ${caseId} has no file ${fileName}`);
    }
    throw error;
  }
  const erasedAt = now.toISOString();
  // The fact first: a deletion that fails after it is retried, and its event is kept once.
  await recordHistory(caseId, { action: 'case-file-erased', fileSha256: sha256, by: erasedBy }, erasedAt);
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  return { caseId, fileName, fileSha256: sha256, erasedAt };
}
