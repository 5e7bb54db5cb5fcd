/**
 * Evidence packs in the evidence bucket: the frozen record of a concluded case (or a sitting's
 * report), a manifest with the SHA-256 of every file, and the manifest's own hash in the main table,
 * which is what makes tampering with the bucket detectable.
 *
 * Write-once: in AWS the bucket's Object Lock keeps every version. The code never overwrites
 * either: a version number is reserved in the table for one manifest before any object is written,
 * objects go only under a number reserved for exactly their bytes, and each put is conditional on
 * nothing being there (an object already there must hold the same bytes). A corrected pack is the
 * next version, whose manifest names the version it supersedes and why.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { z } from 'zod';
import { documents, s3 } from '../aws-clients.ts';
import { caseKeys } from '../cases/case-store.ts';
import { queryAll } from '../data/query-all.ts';
import type { LabelledItem } from '../data/transactions.ts';
import { ENV, mainTable, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError, TransientError } from '../errors.ts';
import { panelKeys } from '../panels/panel-store.ts';
import {
  buildManifest,
  MANIFEST_NAME,
  manifestKey,
  type PackFile,
  type PackSubject,
  type PreviousPack,
  packFileKey,
  packPrefix,
  sha256Hex,
  verifyPack,
} from './manifest.ts';

const bucket = () => requireEnv(ENV.evidenceBucket);

/** How long a link to a pack file works. */
export const PACK_LINK_SECONDS = 600;

const PackSubjectSchema = z.object({ kind: z.enum(['case', 'sitting']), id: z.string() });

/**
 * A version number taken for a case's conclusion, in the very transaction that concludes it
 * (shared/review/conclusion.ts), before anything of the pack is known: the pack step claims it for
 * the manifest it builds. No pack version exists for a conclusion that is not on record.
 */
export const PackReservationSchema = z.object({
  subject: PackSubjectSchema,
  version: z.number().int().positive(),
  status: z.literal('reserved'),
  createdAt: z.iso.datetime(),
});
export type PackReservation = z.infer<typeof PackReservationSchema>;

export const PackVersionSchema = z.object({
  subject: PackSubjectSchema,
  version: z.number().int().positive(),
  manifestKey: z.string(),
  manifestSha256: z.string(),
  createdAt: z.iso.datetime(),
  files: z.array(z.object({ name: z.string(), sha256: z.string() })),
  /**
   * `writing` from the moment the number is taken for a manifest until every object is in place;
   * `abandoned` when objects of other contents were found under it (left by a write that failed
   * before its record), so the number is never vouched for.
   */
  status: z.enum(['writing', 'complete', 'abandoned']).default('complete'),
  reason: z.string().optional(),
  previous: z
    .object({ version: z.number().int(), manifestSha256: z.string(), reason: z.string() })
    .optional(),
});
export type PackVersion = z.infer<typeof PackVersionSchema>;

const partitionOf = (subject: PackSubject) =>
  subject.kind === 'case' ? caseKeys.item(subject.id).pk : panelKeys.sitting(subject.id).pk;

const PACK = 'PACK#';

/** Pack versions of a case or sitting, in its partition: `PACK#0001`, `PACK#0002`, ... */
const packKey = (subject: PackSubject, version: number) => ({
  pk: partitionOf(subject),
  sk: `${PACK}${String(version).padStart(4, '0')}`,
});

/** The first version of a case's pack reserved, as an item of the transaction that concludes the case. */
export function reserveFirstCasePack(caseId: string, concludedAt: string): LabelledItem<'pack'> {
  const reservation: PackReservation = {
    subject: { kind: 'case', id: caseId },
    version: 1,
    status: 'reserved',
    createdAt: concludedAt,
  };
  return {
    label: 'pack',
    item: {
      Put: {
        TableName: mainTable(),
        Item: { ...packKey(reservation.subject, 1), ...reservation },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

const isReservation = (item: Record<string, unknown>) => item.status === 'reserved';

/** Every version of the subject's pack, oldest first, those reserved or still being written included. */
export async function packVersions(subject: PackSubject): Promise<(PackVersion | PackReservation)[]> {
  const items = await queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :pack)',
    ExpressionAttributeValues: { ':pk': partitionOf(subject), ':pack': PACK },
    ConsistentRead: true,
  });
  return items.map((item) =>
    isReservation(item) ? PackReservationSchema.parse(item) : PackVersionSchema.parse(item),
  );
}

const completed = (versions: readonly (PackVersion | PackReservation)[]) =>
  versions.filter((v): v is PackVersion => v.status === 'complete');

/** An object that is there (callers know from a listing or a failed conditional put). */
async function readObject(key: string): Promise<Uint8Array> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
}

/**
 * Puts the object only where there is none (If-None-Match: *); when one is there already, it must
 * hold the same bytes. S3 answers 412 to a put where an object exists; the local stand-in ignores
 * the condition, where the version reserved for exactly these bytes is what keeps others out.
 */
async function putOnce(key: string, content: string | Uint8Array, contentType: string): Promise<void> {
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: key,
        Body: content,
        ContentType: contentType,
        IfNoneMatch: '*',
      }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'PreconditionFailed' && name !== 'ConditionalRequestConflict') throw error;
    if (sha256Hex(await readObject(key)) !== sha256Hex(content)) {
      throw new ConflictError(
        `Evidence object ${key} exists with other content; packs are never overwritten`,
      );
    }
  }
}

/**
 * Takes a version number for a manifest: the record is written first (status `writing`), so two
 * writers cannot both take the number for different contents, and objects are only ever written
 * under a number taken for exactly their bytes. A number reserved by a conclusion is taken the same
 * way, by the first manifest. False when the number went to other contents.
 */
async function reserve(record: PackVersion): Promise<boolean> {
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: { ...packKey(record.subject, record.version), ...record },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :reserved',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':reserved': 'reserved' satisfies PackReservation['status'] },
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const [taken] = (await packVersions(record.subject)).filter((v) => v.version === record.version);
    return taken?.status !== 'reserved' && taken?.manifestSha256 === record.manifestSha256;
  }
}

/** Writes the objects of a reserved version, then marks it complete. Every step can run again. */
async function finish(
  record: PackVersion,
  files: readonly PackFile[],
  manifestText: string,
): Promise<PackVersion> {
  for (const file of files) {
    await putOnce(packFileKey(record.subject, record.version, file.name), file.content, file.contentType);
  }
  await putOnce(record.manifestKey, manifestText, 'application/json');
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: packKey(record.subject, record.version),
      UpdateExpression: 'SET #status = :complete',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':complete': 'complete' },
    }),
  );
  return { ...record, status: 'complete' };
}

/** Finishes a reserved version; undefined (and the number abandoned) when other bytes hold its keys. */
async function finishOrAbandon(
  record: PackVersion,
  files: readonly PackFile[],
  manifestText: string,
): Promise<PackVersion | undefined> {
  try {
    return await finish(record, files, manifestText);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    await documents
      .send(
        new UpdateCommand({
          TableName: mainTable(),
          Key: packKey(record.subject, record.version),
          UpdateExpression: 'SET #status = :abandoned',
          ConditionExpression: '#status = :writing',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':abandoned': 'abandoned', ':writing': 'writing' },
        }),
      )
      .catch((failure) => {
        if (!(failure instanceof ConditionalCheckFailedException)) throw failure;
      });
    return undefined;
  }
}

/**
 * Writes the files as the subject's next pack version, unless the last version holds exactly these
 * files (a re-run of the same step): a complete one is returned as it is, one left half-written is
 * finished. A version reserved by the case's conclusion is the one written. `reason` is why a later version supersedes the one before; `force` writes a new
 * version even for the same files. A number reserved for other contents and never finished is
 * skipped: its objects, if any, stay where Object Lock keeps them, and no record vouches for them.
 */
export async function writePack(
  subject: PackSubject,
  build: (version: number, previous?: PreviousPack) => { files: PackFile[]; createdAt: string },
  options: { reason?: string; force?: boolean } = {},
): Promise<PackVersion> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const versions = await packVersions(subject);
    const last = versions.at(-1);
    const open = last?.status === 'reserved' ? last : undefined;
    if (
      last &&
      last.status !== 'reserved' &&
      last.status !== 'abandoned' &&
      (!options.force || last.status === 'writing')
    ) {
      const again = build(last.version, last.previous);
      const built = buildManifest(subject, last.version, again.createdAt, again.files, last.previous);
      if (built.manifestSha256 === last.manifestSha256) {
        if (last.status === 'complete') return last;
        const finished = await finishOrAbandon(last, again.files, built.manifestText);
        if (finished) return finished;
        continue;
      }
    }
    const latest = completed(versions).at(-1);
    const version = open ? open.version : (last?.version ?? 0) + 1;
    const previous = latest
      ? {
          version: latest.version,
          manifestSha256: latest.manifestSha256,
          reason: options.reason ?? 'rebuilt',
        }
      : undefined;
    const { files, createdAt } = build(version, previous);
    const built = buildManifest(subject, version, createdAt, files, previous);
    const record: PackVersion = {
      subject,
      version,
      status: 'writing',
      manifestKey: manifestKey(subject, version),
      manifestSha256: built.manifestSha256,
      createdAt,
      files: built.manifest.files.map((file) => ({ name: file.name, sha256: file.sha256 })),
      ...(options.reason ? { reason: options.reason } : {}),
      ...(previous ? { previous } : {}),
    };
    if (await reserve(record)) {
      const finished = await finishOrAbandon(record, files, built.manifestText);
      if (finished) return finished;
    }
  }
  throw new TransientError(`Pack versions of ${subject.id} kept being taken while writing; try again`);
}

async function packVersion(
  subject: PackSubject,
  version?: number,
): Promise<{ chosen: PackVersion; all: PackVersion[] }> {
  const all = completed(await packVersions(subject));
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
  // What the listing shows is there; anything else is missing (reading a missing key without
  // list rights on the whole bucket answers 403, not 404, so the listing decides).
  const present = new Set(Contents.map((object) => String(object.Key).slice(prefix.length)));
  const read = (name: string, key: string) =>
    present.has(name) ? readObject(key) : Promise.resolve(undefined);
  const verification = await verifyPack({
    expectedManifestSha256: chosen.manifestSha256,
    manifestText: await read(MANIFEST_NAME, chosen.manifestKey),
    fetch: (name) => read(name, packFileKey(subject, chosen.version, name)),
    present: [...present].filter((name) => name !== ''),
  });
  return { subject, version: chosen.version, ...verification };
}
