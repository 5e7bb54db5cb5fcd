/**
 * `scrutineer pack verify …`: checks a case's or a sitting's evidence pack against the manifest
 * hash the database recorded when the pack was written. The API hands out short-lived links to the
 * manifest and the files; everything is downloaded and hashed here, by the pure verifier the
 * system itself uses, so the check does not rest on the server's say-so about the files.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { MANIFEST_NAME, type PackVerification, verifyPack } from '../../shared/evidence/manifest.ts';
import { TransferError } from '../api-client.ts';
import { connect, withSignInOptions } from '../config.ts';
import { type Cell, formatTable, result } from '../output.ts';

/** Packs are read by auditors (and chairs and admins): the command signs in as the auditor. */
const PACK_USER = 'auditor';

/** How much of a hash the table shows; the JSON output has them whole. */
const SHORT_HASH = 12;

/** GET /cases/{caseId}/pack and GET /sittings/{sittingId}/pack. */
interface PackLinks {
  readonly subject: { readonly kind: string; readonly id: string };
  readonly version: number;
  /** The database's record of the manifest's SHA-256. */
  readonly manifestSha256: string;
  readonly createdAt: string;
  readonly versions: readonly {
    readonly version: number;
    readonly manifestSha256: string;
    readonly createdAt: string;
    readonly reason?: string;
  }[];
  readonly manifest: { readonly url: string };
  readonly files: readonly { readonly name: string; readonly url: string }[];
  readonly expiresAt: string;
}

interface VerifyOptions {
  readonly version?: number;
  readonly json?: boolean;
}

export function addPackCommand(program: Command): void {
  const pack = program
    .command('pack')
    .description('check the evidence packs of concluded cases and sittings');
  addVerify(pack);
}

function addVerify(pack: Command): void {
  withSignInOptions(
    pack
      .command('verify')
      .description(
        'download a pack and check every file, and the manifest, against the SHA-256 recorded when it ' +
          'was written; exits 1 when anything differs',
      )
      .argument('<id>', 'a case (case_…) or a sitting (sit_…)')
      .option('--version <n>', 'the pack version (default: the latest)', versionArgument)
      .option('--json', 'print the verification as JSON'),
    PACK_USER,
  ).action(async (id: string, options: VerifyOptions, command: Command) => {
    const packPath = packPathOf(id);
    if (!packPath) {
      command.error(`error: "${id}" is not a pack id: give a case (case_…) or a sitting (sit_…).`);
    }
    const query = options.version !== undefined ? `?version=${options.version}` : '';
    const links = await (await connect(command)).get<PackLinks>(`${packPath}${query}`);
    const urls = new Map(links.files.map((file) => [file.name, file.url]));
    const verification = await verifyPack({
      expectedManifestSha256: links.manifestSha256,
      manifestText: await readObject(links.manifest.url, MANIFEST_NAME),
      fetch: async (name) => {
        const url = urls.get(name);
        return url === undefined ? undefined : readObject(url, name);
      },
    });
    result(
      options.json
        ? JSON.stringify(
            {
              subject: links.subject,
              version: links.version,
              createdAt: links.createdAt,
              // manifestSha256.expected is the database's record, as the API gave it.
              ...verification,
            },
            null,
            2,
          )
        : formatPackVerification(id, links, verification),
    );
    if (!verification.ok) process.exitCode = 1;
  });
}

function versionArgument(value: string): number {
  const version = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(version) || version < 1) {
    throw new InvalidArgumentError('expected a pack version: 1, 2, …');
  }
  return version;
}

/** The API path of the pack an id names, or undefined when it names neither a case nor a sitting. */
function packPathOf(id: string): string | undefined {
  if (/^case_[A-Za-z0-9_-]+$/.test(id)) return `/cases/${encodeURIComponent(id)}/pack`;
  if (/^sit_[A-Za-z0-9_-]+$/.test(id)) return `/sittings/${encodeURIComponent(id)}/pack`;
  return undefined;
}

/**
 * One object through its presigned link: its bytes, or undefined when the store says it is not
 * there. Any other refusal is an error, not a verdict: an expired link says nothing about the pack.
 */
async function readObject(url: string, name: string): Promise<Uint8Array | undefined> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new TransferError(`Could not download ${name} from ${new URL(url).origin} (${cause}).`);
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    const code = /<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1];
    const hint = response.status === 403 ? '; the links are short-lived, so run the command again' : '';
    throw new TransferError(
      `Downloading ${name} failed: ${response.status}${code ? ` ${code}` : ''}${hint}.`,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

const short = (hash: string | undefined) => (hash ? `${hash.slice(0, SHORT_HASH)}…` : '-');

function formatPackVerification(id: string, links: PackLinks, verification: PackVerification): string {
  const { manifestSha256: manifest, files, unexpected = [] } = verification;
  const manifestResult = manifest.ok
    ? 'ok'
    : manifest.problem === 'missing'
      ? 'MISSING'
      : manifest.problem === 'unreadable'
        ? 'NOT A MANIFEST'
        : `ALTERED (now ${short(manifest.actual)})`;
  const rows: Cell[][] = [
    ['file', 'expected sha256', 'result'],
    [MANIFEST_NAME, short(manifest.expected), manifestResult],
    ...files.map((file): Cell[] => [
      file.name,
      short(file.expected),
      file.ok ? 'ok' : file.problem === 'missing' ? 'MISSING' : `ALTERED (now ${short(file.actual)})`,
    ]),
    ...unexpected.map((name): Cell[] => [name, '-', 'NOT IN THE MANIFEST']),
  ];
  const lines = [
    `Pack ${id} v${links.version}, created ${links.createdAt}`,
    `Manifest SHA-256 recorded in the database: ${links.manifestSha256}`,
    ...formatVersions(links),
    '',
    formatTable(rows),
    '',
  ];
  if (verification.ok) {
    lines.push(`Pack ${id} v${links.version}: all ${files.length} files match their SHA-256`);
    return lines.join('\n');
  }
  const problems = [
    ...(manifest.ok
      ? []
      : [`${MANIFEST_NAME} ${manifest.problem === 'unreadable' ? 'is not a manifest' : manifest.problem}`]),
    ...files.filter((file) => !file.ok).map((file) => `${file.name} ${file.problem}`),
    ...unexpected.map((name) => `${name} is not in the manifest`),
  ];
  lines.push(`TAMPERED: pack ${id} v${links.version}: ${problems.join('; ')}`);
  if (!manifest.ok && manifest.problem !== 'missing' && files.length > 0) {
    lines.push(
      "  (the files were checked against the manifest as found, which does not match the database's record)",
    );
  }
  return lines.join('\n');
}

/** Every version of the pack, when there is more than one: a correction names why. */
function formatVersions(links: PackLinks): string[] {
  if (links.versions.length < 2) return [];
  const rows = [...links.versions]
    .sort((a, b) => a.version - b.version)
    .map((version): Cell[] => [
      `v${version.version}${version.version === links.version ? ' (this one)' : ''}`,
      version.createdAt,
      short(version.manifestSha256),
      version.reason ?? '',
    ]);
  return ['Versions:', formatTable(rows)];
}
