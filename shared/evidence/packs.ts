/**
 * Evidence packs in the evidence bucket: the frozen record of a concluded case (or a sitting's
 * report), a manifest with the SHA-256 of every file, and the manifest's own hash in the main table,
 * which is what makes tampering with the bucket detectable.
 *
 * Write-once: in AWS the bucket's Object Lock keeps every version; here, the code never overwrites
 * an object (a put is made only where nothing is, and an existing object must hold the same bytes).
 * A corrected pack is the next version, whose manifest names the version it supersedes and why.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { z } from 'zod';
import { documents, s3 } from '../aws-clients.ts';
import { keys } from '../data/keys.ts';
import { ENV, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import {
  buildManifest,
  manifestKey,
  type PackFile,
  type PackSubject,
  type PreviousPack,
  packFileKey,
  packPrefix,
  sha256Hex,
  verifyPack,
} from './manifest.ts';

const table = () => requireEnv(ENV.mainTable);
const bucket = () => requireEnv(ENV.evidenceBucket);

/** How long a link to a pack file works. */
export const PACK_LINK_SECONDS = 600;

export const PackVersionSchema = z.object({
  subject: z.object({ kind: z.enum(['case', 'sitting']), id: z.string() }),
  version: z.number().int().positive(),
  manifestKey: z.string(),
  manifestSha256: z.string(),
  createdAt: z.iso.datetime(),
  files: z.array(z.object({ name: z.string(), sha256: z.string() })),
  reason: z.string().optional(),
  previous: z
    .object({ version: z.number().int(), manifestSha256: z.string(), reason: z.string() })
    .optional(),
});
export type PackVersion = z.infer<typeof PackVersionSchema>;

const partitionOf = (subject: PackSubject) =>
  subject.kind === 'case' ? keys.reviewCase(subject.id).pk : keys.sitting(subject.id).pk;

/** Every version of the subject's pack, oldest first. */
export async function packVersions(subject: PackSubject): Promise<PackVersion[]> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :pack)',
      ExpressionAttributeValues: { ':pk': partitionOf(subject), ':pack': 'PACK#' },
    }),
  );
  return Items.map((item) => PackVersionSchema.parse(item));
}

async function readObject(key: string): Promise<Uint8Array | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
    return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** Puts the object only where there is none; an object already there must hold the same bytes. */
async function putOnce(key: string, content: string | Uint8Array, contentType: string): Promise<void> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
  } catch (error) {
    if (!(error instanceof NotFound) && (error as { name?: string }).name !== 'NotFound') throw error;
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: key,
        Body: content,
        ContentType: contentType,
        IfNoneMatch: '*',
      }),
    );
    return;
  }
  const existing = await readObject(key);
  if (!existing || sha256Hex(existing) !== sha256Hex(content)) {
    throw new ConflictError(`Evidence object ${key} exists with other content; packs are never overwritten`);
  }
}

const sameFiles = (version: PackVersion, files: readonly PackFile[]) =>
  version.files.length === files.length &&
  files.every((file) =>
    version.files.some((stored) => stored.name === file.name && stored.sha256 === sha256Hex(file.content)),
  );

/**
 * Writes the files as the subject's next pack version, unless the latest version already holds
 * exactly these files (a re-run of the same step), which is returned as it is. `reason` is why a
 * later version supersedes the one before; `force` writes a new version even for the same files.
 */
export async function writePack(
  subject: PackSubject,
  build: (version: number, previous?: PreviousPack) => { files: PackFile[]; createdAt: string },
  options: { reason?: string; force?: boolean } = {},
): Promise<PackVersion> {
  const versions = await packVersions(subject);
  const latest = versions.at(-1);
  const version = (latest?.version ?? 0) + 1;
  const previous = latest
    ? { version: latest.version, manifestSha256: latest.manifestSha256, reason: options.reason ?? 'rebuilt' }
    : undefined;
  if (latest && !options.force) {
    const again = build(latest.version, latest.previous);
    if (sameFiles(latest, again.files)) return latest;
  }
  const { files, createdAt } = build(version, previous);
  const built = buildManifest(subject, version, createdAt, files, previous);
  for (const file of files)
    await putOnce(packFileKey(subject, version, file.name), file.content, file.contentType);
  await putOnce(manifestKey(subject, version), built.manifestText, 'application/json');
  const record: PackVersion = {
    subject,
    version,
    manifestKey: manifestKey(subject, version),
    manifestSha256: built.manifestSha256,
    createdAt,
    files: built.manifest.files.map((file) => ({ name: file.name, sha256: file.sha256 })),
    ...(options.reason ? { reason: options.reason } : {}),
    ...(previous ? { previous } : {}),
  };
  try {
    await documents.send(
      new PutCommand({
        TableName: table(),
        Item: { ...keys.pack(partitionOf(subject), version), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ConflictError(`Pack version ${version} of ${subject.id} was written meanwhile`);
    }
    throw error;
  }
  return record;
}

async function packVersion(
  subject: PackSubject,
  version?: number,
): Promise<{ chosen: PackVersion; all: PackVersion[] }> {
  const all = await packVersions(subject);
  const chosen = version === undefined ? all.at(-1) : all.find((candidate) => candidate.version === version);
  if (!chosen)
    throw new NotFoundError(`No evidence pack${version ? ` version ${version}` : ''} for ${subject.id}`);
  return { chosen, all };
}

/** The pack (latest version unless one is named) with short-lived links to its manifest and files. */
export async function packLinks(subject: PackSubject, version?: number, now = new Date()) {
  const { chosen, all } = await packVersion(subject, version);
  const link = (key: string) =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket(), Key: key }), { expiresIn: PACK_LINK_SECONDS });
  return {
    subject,
    version: chosen.version,
    manifestSha256: chosen.manifestSha256,
    createdAt: chosen.createdAt,
    versions: all.map(({ version: v, manifestSha256, createdAt, reason }) => ({
      version: v,
      manifestSha256,
      createdAt,
      ...(reason ? { reason } : {}),
    })),
    manifest: { url: await link(chosen.manifestKey) },
    files: await Promise.all(
      chosen.files.map(async (file) => ({
        name: file.name,
        url: await link(packFileKey(subject, chosen.version, file.name)),
      })),
    ),
    expiresAt: new Date(now.getTime() + PACK_LINK_SECONDS * 1000).toISOString(),
  };
}

/** Re-reads a pack version from the bucket and checks every hash against the database's record. */
export async function verifyStoredPack(subject: PackSubject, version?: number) {
  const { chosen } = await packVersion(subject, version);
  const prefix = packPrefix(subject, chosen.version);
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix }));
  const verification = await verifyPack({
    expectedManifestSha256: chosen.manifestSha256,
    manifestText: await readObject(chosen.manifestKey),
    fetch: (name) => readObject(packFileKey(subject, chosen.version, name)),
    present: Contents.map((object) => String(object.Key).slice(prefix.length)).filter((name) => name !== ''),
  });
  return { subject, version: chosen.version, ...verification };
}
