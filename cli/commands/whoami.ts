/**
 * `scrutineer whoami`: signs in and shows who the API takes you for. It is also how a person
 * becomes known to Scrutineer, so that an admin can name them the chair of a panel.
 */
import type { Command } from 'commander';
import { connect, DEFAULT_USER, withSignInOptions } from '../config.ts';
import { result } from '../output.ts';

interface Me {
  readonly subject: string;
  readonly name?: string;
  readonly roles: readonly string[];
}

export function addWhoamiCommand(program: Command): void {
  withSignInOptions(
    program
      .command('whoami')
      .description('sign in, and show your subject, name and roles as the API sees them')
      .option('--json', 'print the record as JSON'),
    DEFAULT_USER,
  ).action(async (options: { json?: boolean }, command: Command) => {
    const me = await (await connect(command)).get<Me>('/me');
    result(
      options.json
        ? JSON.stringify(me, null, 2)
        : `${me.name ?? '(no name)'} (${me.subject}): ${me.roles.join(', ') || 'no roles'}`,
    );
  });
}
