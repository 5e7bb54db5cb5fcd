/** `scrutineer imports show ID`: one import, readable or as JSON. */
import type { Command } from 'commander';
import { connect, withSignInOptions } from '../config.ts';
import { formatImport, getImport } from '../imports.ts';
import { result } from '../output.ts';

export function addImportsCommand(program: Command): void {
  const imports = program.command('imports').description('look at imports of decision exports');

  withSignInOptions(
    imports
      .command('show')
      .description('show one import: its status, file, who started it and its counts')
      .argument('<importId>', 'the import id, such as imp_01j…')
      .option('--json', 'print the import record as JSON'),
  ).action(async (importId: string, options: { json?: boolean }, command: Command) => {
    const record = await getImport(await connect(command), importId);
    result(options.json ? JSON.stringify(record, null, 2) : formatImport(record));
  });
}
