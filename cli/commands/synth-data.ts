/** `scrutineer synth-data`: a synthetic force export, reproducible from its seed, for trying imports. */
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { formatBytes, result } from '../output.ts';

const SYNTHETIC_FORMATS = ['force-csv', 'force-ndjson'] as const;
type SyntheticFormat = (typeof SYNTHETIC_FORMATS)[number];

interface SynthDataOptions {
  readonly decisions: number;
  readonly seed: number;
  readonly out: string;
  readonly format?: SyntheticFormat;
}

export function addSynthDataCommand(program: Command): void {
  program
    .command('synth-data')
    .description('write a synthetic force export (invented decisions about no real person)')
    .requiredOption('--decisions <count>', 'how many decisions to write (up to a million)', wholeNumber)
    .option('--seed <seed>', 'the same seed gives the same file', wholeNumber, 1)
    .requiredOption('--out <file>', 'the file to write')
    .addOption(
      new Option(
        '--format <format>',
        'the layout to write (default: force-ndjson for .ndjson and .jsonl, otherwise force-csv)',
      ).choices(SYNTHETIC_FORMATS),
    )
    .action(async (options: SynthDataOptions, command: Command) => {
      // Loaded here: the generator and its schemas would slow every other command's start.
      const { MAX_SYNTHETIC_DECISIONS, writeSyntheticExport } = await import('../../local/synthetic-data.ts');
      if (options.decisions > MAX_SYNTHETIC_DECISIONS) {
        command.error(
          `error: --decisions can be at most ${MAX_SYNTHETIC_DECISIONS.toLocaleString('en-GB')}.`,
        );
      }
      const format = options.format ?? formatOf(options.out);
      const written = await writeSyntheticExport({
        count: options.decisions,
        seed: options.seed,
        format,
        out: options.out,
      });
      result(`Wrote ${written.rows} decisions (${formatBytes(written.bytes)}, ${format}) to ${options.out}`);
    });
}

function formatOf(file: string): SyntheticFormat {
  const extension = path.extname(file).toLowerCase();
  return extension === '.ndjson' || extension === '.jsonl' ? 'force-ndjson' : 'force-csv';
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}
