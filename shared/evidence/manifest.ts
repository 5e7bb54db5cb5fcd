/**
 * Evidence packs are tamper-evident: every file of a pack is listed with its SHA-256 in the pack's
 * `manifest.json`, and the SHA-256 of the manifest itself is stored in the database when the pack
 * is written. Changing a file changes its hash (caught against the manifest); changing the manifest
 * to match changes the manifest's hash (caught against the database). Nothing here touches AWS:
 * the caller writes the files and supplies a `fetch` to read them back.
 *
 * A pack is never rewritten. A correction is a new version (v0002…) whose manifest names the
 * version it supersedes, that version's manifest hash, and the reason.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import { ValidationError } from '../errors.ts';

export const MANIFEST_NAME = 'manifest.json';
export const PACK_ALGORITHM = 'SHA-256';

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** File names end up in object keys: no folders, no dot-dot, nothing to escape. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SUBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Hex SHA-256 of the bytes; a string is hashed as its UTF-8 encoding, as it is stored. */
export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256')
    .update(typeof content === 'string' ? Buffer.from(content, 'utf8') : content)
    .digest('hex');
}

const byteLength = (content: string | Uint8Array) =>
  typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;

export interface PackFile {
  readonly name: string;
  readonly contentType: string;
  readonly content: string | Uint8Array;
}

export const PackSubjectSchema = z.object({
  kind: z.enum(['case', 'sitting']),
  id: z.string().regex(SUBJECT_ID, 'a case or sitting id'),
});
export type PackSubject = z.infer<typeof PackSubjectSchema>;

export const PreviousPackSchema = z.object({
  version: z.number().int().positive(),
  manifestSha256: z.string().regex(SHA256_HEX),
  reason: z.string().min(1),
});
export type PreviousPack = z.infer<typeof PreviousPackSchema>;

export const ManifestFileSchema = z.object({
  name: z.string().regex(FILE_NAME, 'a file name without folders'),
  contentType: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(SHA256_HEX, 'a lowercase hex SHA-256'),
});
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

export const ManifestSchema = z
  .object({
    manifestVersion: z.literal(1),
    subject: PackSubjectSchema,
    version: z.number().int().positive(),
    createdAt: z.iso.datetime(),
    algorithm: z.literal(PACK_ALGORITHM),
    files: z.array(ManifestFileSchema).min(1),
    previous: PreviousPackSchema.optional(),
  })
  .superRefine((manifest, context) => {
    const names = manifest.files.map((file) => file.name);
    names.forEach((name, index) => {
      const before = names[index - 1];
      if (name === MANIFEST_NAME) {
        context.addIssue({
          code: 'custom',
          path: ['files', index, 'name'],
          message: `the manifest does not list itself`,
        });
      }
      if (before !== undefined && before >= name) {
        context.addIssue({
          code: 'custom',
          path: ['files', index, 'name'],
          message: before === name ? `${name} is listed twice` : 'files are sorted by name',
        });
      }
    });
    if (manifest.previous && manifest.previous.version >= manifest.version) {
      context.addIssue({
        code: 'custom',
        path: ['previous', 'version'],
        message: 'a pack supersedes an earlier version',
      });
    }
  });
export type Manifest = z.infer<typeof ManifestSchema>;

export interface BuiltManifest {
  readonly manifest: Manifest;
  /** The bytes to store as `manifest.json`. */
  readonly manifestText: string;
  /** What the database records for the pack version. */
  readonly manifestSha256: string;
}

/**
 * The manifest of a pack version: every file with its size and SHA-256, sorted by name. Throws a
 * ValidationError for a file name that could not be a key, a duplicate, or a file named like the
 * manifest itself.
 */
export function buildManifest(
  subject: PackSubject,
  version: number,
  createdAt: string,
  files: readonly PackFile[],
  previous?: PreviousPack,
): BuiltManifest {
  const listed = files
    .map(
      (file): ManifestFile => ({
        name: file.name,
        contentType: file.contentType,
        bytes: byteLength(file.content),
        sha256: sha256Hex(file.content),
      }),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parsed = ManifestSchema.safeParse({
    manifestVersion: 1,
    subject: { kind: subject.kind, id: subject.id },
    version,
    createdAt,
    algorithm: PACK_ALGORITHM,
    files: listed,
    ...(previous ? { previous } : {}),
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.'),
      reason: issue.message,
    }));
    throw new ValidationError(
      `Cannot build the manifest of ${subject.kind} ${subject.id} v${version}: ${issues
        .map((issue) => `${issue.field}: ${issue.reason}`)
        .join('; ')}`,
      issues,
    );
  }
  const manifestText = canonicalJson(parsed.data);
  return { manifest: parsed.data, manifestText, manifestSha256: sha256Hex(manifestText) };
}

export interface ManifestCheck {
  /** The hash the database recorded for this pack version. */
  readonly expected: string;
  /** The hash of the manifest as read; absent when there is none. */
  readonly actual?: string;
  readonly ok: boolean;
  /** `unreadable`: the bytes are not a manifest at all, so no file could be checked against it. */
  readonly problem?: 'missing' | 'altered' | 'unreadable';
}

export interface FileCheck {
  readonly name: string;
  /** The SHA-256 the manifest lists. */
  readonly expected: string;
  /** The SHA-256 of the file as read; absent when it is missing. */
  readonly actual?: string;
  readonly ok: boolean;
  readonly problem?: 'missing' | 'altered';
}

export interface PackVerification {
  /** True only when the manifest matches the database's hash and every file matches the manifest. */
  readonly ok: boolean;
  readonly manifestSha256: ManifestCheck;
  /** The manifest as read, when it parses (even if altered, so the report says what it claims). */
  readonly manifest?: Manifest;
  /** One per file the manifest lists, in its order. */
  readonly files: readonly FileCheck[];
  /** Files present in the pack that the manifest does not list: nothing vouches for them. */
  readonly unexpected?: readonly string[];
}

export interface VerifyPackInput {
  /** The manifest hash from the database, the independent record. */
  readonly expectedManifestSha256: string;
  /** The manifest as read from the store; undefined when it is not there. */
  readonly manifestText: string | Uint8Array | undefined;
  /** Reads one file of the pack; undefined when it is not there. */
  fetch(name: string): Promise<Uint8Array | undefined>;
  /** The names of the files actually present, when the caller can list them. */
  readonly present?: readonly string[];
}

/**
 * Checks a pack against the manifest hash the database recorded. An altered manifest is reported
 * as such, and when it still parses its files are checked too, so the report shows what else
 * changed. Errors from `fetch` (a network failure) propagate: they say nothing about the pack.
 */
export async function verifyPack(input: VerifyPackInput): Promise<PackVerification> {
  const expected = input.expectedManifestSha256.toLowerCase();
  if (input.manifestText === undefined) {
    return { ok: false, manifestSha256: { expected, ok: false, problem: 'missing' }, files: [] };
  }
  const actual = sha256Hex(input.manifestText);
  const hashMatches = actual === expected;
  const manifest = parseManifest(input.manifestText);
  if (!manifest) {
    return {
      ok: false,
      manifestSha256: { expected, actual, ok: false, problem: hashMatches ? 'unreadable' : 'altered' },
      files: [],
    };
  }
  const files = await Promise.all(
    manifest.files.map(async (file): Promise<FileCheck> => {
      const content = await input.fetch(file.name);
      if (content === undefined)
        return { name: file.name, expected: file.sha256, ok: false, problem: 'missing' };
      const hash = sha256Hex(content);
      return hash === file.sha256
        ? { name: file.name, expected: file.sha256, actual: hash, ok: true }
        : { name: file.name, expected: file.sha256, actual: hash, ok: false, problem: 'altered' };
    }),
  );
  const listed = new Set([MANIFEST_NAME, ...manifest.files.map((file) => file.name)]);
  const unexpected = [...new Set(input.present ?? [])].filter((name) => !listed.has(name)).sort();
  return {
    ok: hashMatches && files.every((file) => file.ok) && unexpected.length === 0,
    manifestSha256: hashMatches
      ? { expected, actual, ok: true }
      : { expected, actual, ok: false, problem: 'altered' },
    manifest,
    files,
    ...(unexpected.length > 0 ? { unexpected } : {}),
  };
}

function parseManifest(text: string | Uint8Array): Manifest | undefined {
  try {
    const json: unknown = JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
    const parsed = ManifestSchema.safeParse(json);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const FOLDERS: Readonly<Record<PackSubject['kind'], string>> = { case: 'cases', sitting: 'sittings' };

/** Where a pack version's objects live: `packs/cases/<caseId>/v0001/`. */
export function packPrefix(subject: PackSubject, version: number): string {
  if (!SUBJECT_ID.test(subject.id)) throw new ValidationError(`"${subject.id}" is not a ${subject.kind} id`);
  if (!Number.isInteger(version) || version < 1) {
    throw new ValidationError(`A pack version is a positive whole number, not ${version}`);
  }
  return `packs/${FOLDERS[subject.kind]}/${subject.id}/v${String(version).padStart(4, '0')}/`;
}

export const manifestKey = (subject: PackSubject, version: number) =>
  `${packPrefix(subject, version)}${MANIFEST_NAME}`;

export function packFileKey(subject: PackSubject, version: number, name: string): string {
  if (!FILE_NAME.test(name)) throw new ValidationError(`"${name}" is not a pack file name`);
  return `${packPrefix(subject, version)}${name}`;
}
