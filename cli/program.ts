/**
 * The `scrutineer` program. Each command lives in its own file under commands/ and adds itself to
 * the program; to add one, write the file and list its function in COMMANDS.
 */
import { Command, CommanderError } from 'commander';
import { addAgendaCommand } from './commands/agenda.ts';
import { addCasesCommand } from './commands/cases.ts';
import { addFilesCommand } from './commands/files.ts';
import { addFindingsCommand } from './commands/findings.ts';
import { addImportCommand } from './commands/import.ts';
import { addImportsCommand } from './commands/imports.ts';
import { addNominationsCommand } from './commands/nominations.ts';
import { addPackCommand } from './commands/pack.ts';
import { addQuestionSetsCommand } from './commands/question-sets.ts';
import { addRecommendationsCommand } from './commands/recommendations.ts';
import { addReportCommand } from './commands/report.ts';
import { addReviewersCommand } from './commands/reviewers.ts';
import { addSampleCommand } from './commands/sample.ts';
import { addSittingsCommand } from './commands/sittings.ts';
import { addSweepCommand } from './commands/sweep.ts';
import { addSynthDataCommand } from './commands/synth-data.ts';
import { addWhoamiCommand } from './commands/whoami.ts';
import { describeError } from './output.ts';

export const COMMANDS: readonly ((program: Command) => void)[] = [
  addAgendaCommand,
  addCasesCommand,
  addFilesCommand,
  addFindingsCommand,
  addImportCommand,
  addImportsCommand,
  addNominationsCommand,
  addPackCommand,
  addQuestionSetsCommand,
  addRecommendationsCommand,
  addReportCommand,
  addReviewersCommand,
  addSampleCommand,
  addSittingsCommand,
  addSweepCommand,
  addSynthDataCommand,
  addWhoamiCommand,
];

/** Exit codes: 0 done, 1 the work failed, 2 the command line was wrong. */
const USAGE_ERROR = 2;

export function createProgram(): Command {
  // Set before the commands are added, so each of them inherits it.
  const program = new Command('scrutineer')
    .description('Scrutineer: audit of no-further-action and filing decisions')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  for (const addCommand of COMMANDS) addCommand(program);
  return program;
}

/** Runs the program on `argv` (as process.argv) and returns the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    // Commander has already printed its message (or the help).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_ERROR;
    process.stderr.write(`${describeError(error)}\n`);
    return 1;
  }
}
