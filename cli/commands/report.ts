/**
 * `scrutineer report …`: generate the report of a sitting (for the chair) or of a dip sample (for
 * the auditor) and download it as JSON, CSV and HTML.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { download } from '../api-client.ts';
import { connect, withSignInOptions } from '../config.ts';
import { result } from '../output.ts';

/** POST /sittings/{sittingId}/reports and POST /samples/{sampleId}/reports. */
interface ReportLinks {
  readonly reportId: string;
  readonly generatedAt: string;
  /** Short-lived presigned links. */
  readonly files: { readonly json: string; readonly csv: string; readonly html: string };
  readonly expiresAt: string;
}

const FORMATS = ['json', 'csv', 'html'] as const;

interface ReportOptions {
  readonly out?: string;
  readonly json?: boolean;
}

interface ReportKind {
  readonly name: string;
  readonly argument: string;
  readonly description: string;
  readonly collection: string;
  readonly defaultUser: string;
}

const KINDS: readonly ReportKind[] = [
  {
    name: 'sample',
    argument: '<sampleId>',
    description: "a dip sample's report: what was drawn, what the panel found, the estimates",
    collection: 'samples',
    defaultUser: 'auditor',
  },
  {
    name: 'sitting',
    argument: '<sittingId>',
    description: "a sitting's report: its cases, verdicts, learning, recommendations and themes",
    collection: 'sittings',
    defaultUser: 'chair',
  },
];

export function addReportCommand(program: Command): void {
  const report = program
    .command('report')
    .description('generate the report of a sitting or a dip sample and download it (JSON, CSV, HTML)');
  for (const kind of KINDS) addKind(report, kind);
}

function addKind(report: Command, kind: ReportKind): void {
  withSignInOptions(
    report
      .command(kind.name)
      .description(kind.description)
      .argument(kind.argument, `the ${kind.name} id`)
      .option('--out <dir>', 'the folder to save the report in (default: the current folder)')
      .option('--json', 'print the report links and the saved files as JSON'),
    kind.defaultUser,
  ).action(async (id: string, options: ReportOptions, command: Command) => {
    // The id names the saved files: nothing that could leave the folder.
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) command.error(`error: "${id}" is not a ${kind.name} id.`);
    const folder = options.out ?? '.';
    // Before the report is generated, so a folder that cannot be written to fails first.
    await mkdir(folder, { recursive: true });
    const client = await connect(command);
    const created = await client.post<ReportLinks>(`/${kind.collection}/${encodeURIComponent(id)}/reports`);
    const saved = Object.fromEntries(
      FORMATS.map((format) => [format, path.join(folder, `${id}-report.${format}`)]),
    ) as Record<(typeof FORMATS)[number], string>;
    for (const format of FORMATS) await save(created.files[format], saved[format]);
    if (options.json) {
      result(JSON.stringify({ ...created, saved }, null, 2));
      return;
    }
    result(`Report ${created.reportId} of ${kind.name} ${id}, generated ${created.generatedAt}`);
    result(`Saved to:\n${FORMATS.map((format) => `  ${saved[format]}`).join('\n')}`);
  });
}

/** Downloads to a temporary name first, so a failed download never leaves half a report behind. */
async function save(url: string, file: string): Promise<void> {
  const partial = `${file}.part`;
  try {
    await pipeline(await download(url), createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
