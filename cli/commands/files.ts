/**
 * `scrutineer files …`: the redacted case files (statements, decision logs) a case's reviewers
 * read. An admin uploads one, or erases one at once (say one uploaded unredacted by mistake).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { uploadFile } from '../api-client.ts';
import { connect, withSignInOptions } from '../config.ts';
import { formatBytes, result, status } from '../output.ts';

/** Case files are the admin's to manage. */
const FILES_USER = 'admin';

/** The media type of common case files by extension; anything else is sent as bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.json': 'application/json',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

export function addFilesCommand(program: Command): void {
  const files = program
    .command('files')
    .description("a case's redacted files for its reviewers: upload, erase");
  withSignInOptions(
    files
      .command('upload')
      .description("upload a redacted case file for the case's reviewers (named as the file is)")
      .argument('<caseId>', 'the case, such as case_…')
      .argument('<file>', 'the file, such as decision-log.pdf')
      .option('--name <fileName>', 'the name reviewers see (default: the file name)')
      .option('--content-type <type>', 'its media type (default: from the extension)'),
    FILES_USER,
  ).action(
    async (
      caseId: string,
      file: string,
      options: { name?: string; contentType?: string },
      command: Command,
    ) => {
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new Error(`There is no file ${file}.`);
      const fileName = options.name ?? path.basename(file);
      const contentType =
        options.contentType ?? CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      const { uploadUrl } = await (await connect(command)).post<{ uploadUrl: string; key: string }>(
        `/cases/${encodeURIComponent(caseId)}/files`,
        { fileName, contentType },
      );
      status(`Uploading ${file} (${formatBytes(info.size)}, ${contentType})…`);
      await uploadFile(uploadUrl, file, undefined, contentType);
      result(`Uploaded ${fileName} to ${caseId}; its reviewers see it with the case.`);
    },
  );
  withSignInOptions(
    files
      .command('delete')
      .description('erase a case file at once: no copy is kept, the case history keeps only its SHA-256')
      .argument('<caseId>', 'the case, such as case_…')
      .argument('<fileName>', 'the file name, such as decision-log.pdf')
      .option('--json', 'print the erasure record as JSON'),
    FILES_USER,
  ).action(async (caseId: string, fileName: string, options: { json?: boolean }, command: Command) => {
    const erased = await (await connect(command)).delete<{
      caseId: string;
      fileName: string;
      fileSha256: string;
      erasedAt: string;
    }>(`/cases/${encodeURIComponent(caseId)}/files/${encodeURIComponent(fileName)}`);
    result(
      options.json
        ? JSON.stringify(erased, null, 2)
        : `Erased ${erased.fileName} from ${erased.caseId} on ${erased.erasedAt}; the case history keeps its SHA-256 ${erased.fileSha256}.`,
    );
  });
}
