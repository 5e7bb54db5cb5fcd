/**
 * `npm run bench`: runs every benchmark, prints its figures, and records them in bench/RESULTS.md.
 * Each benchmark measures its own baseline in the same run, so the ratios compare like with like.
 */
import '../local/stepfunctions/polyfills.ts';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importThroughput } from './import-throughput.ts';

const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 20_000);
const results = [await importThroughput(rows)];

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const report = [
  '# Benchmark results',
  '',
  `Latest run: ${new Date().toISOString().slice(0, 10)} on ${machine}. Produced by \`npm run bench\`.`,
  '',
  ...results.flatMap((result) => [
    `## ${result.name}`,
    '',
    '| measure | time | rate |',
    '|---|---|---|',
    ...result.lines,
    '',
  ]),
].join('\n');
console.log(report);
await writeFile(path.join(import.meta.dirname, 'RESULTS.md'), report);
process.exit(0);
