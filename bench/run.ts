/**
 * `npm run bench`: runs every benchmark, prints its figures, and records them in bench/RESULTS.md.
 * Each benchmark measures its own baseline in the same run, so the ratios compare like with like.
 * BENCH_IMPORT_ROWS (comma-separated) overrides the import sizes.
 */
import '../local/stepfunctions/polyfills.ts';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importThroughput } from './import-throughput.ts';

const sizes = (process.env.BENCH_IMPORT_ROWS ?? '20000,100000').split(',').map(Number);
const results = [
  await importThroughput(sizes),
  await (await import('./sample-selection.ts')).sampleSelection(),
  await (await import('./route-cases.ts')).routeCasesBench(),
  await (await import('./evidence-packs.ts')).evidencePacksBench(),
];

const cpu = os.cpus()[0]?.model ?? 'CPU';
const machine = `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const report = [
  '# Benchmark results',
  '',
  `Latest run: ${new Date().toISOString().slice(0, 10)} on ${machine}. Produced by \`npm run bench\`.`,
  '',
  ...results.flatMap((result) => [
    `## ${result.name}`,
    '',
    result.header,
    ...result.lines,
    '',
    result.notes,
    '',
  ]),
].join('\n');
console.log(report);
await writeFile(path.join(import.meta.dirname, 'RESULTS.md'), report);
process.exit(0);
