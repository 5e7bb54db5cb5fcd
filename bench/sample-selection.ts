/**
 * Sample selection: drawing 100 decisions from files of synthetic decision ids (one per line) with
 * the sampling's own selection (HMAC-SHA256 rank of every id, lowest 100 kept in a bounded heap),
 * read with a stream and readline as a population scan reads, against `shuf -n 100` on the same
 * file in the same run. Two further columns split the time: readline alone (the floor of reading
 * in Node) and selection plus the population hash (what a stratum scan does for the manifest).
 * Memory is measured in a child process of its own for each file size, so each figure is clean: the
 * peak resident set, and the peak live heap (after forced collections), which must not grow with the
 * population.
 *
 * `node [--expose-gc] --import tsx bench/sample-selection.ts --child <file>` is that child.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { seededRandom } from '../local/synthetic-data.ts';
import { LowestRanked, PopulationHash } from '../shared/sampling/selection.ts';
import type { BenchResult } from './import-throughput.ts';

const SAMPLE = 100;
const SEED = 'benchmark-seed-0000000000000000';
const REPEATS = 3;
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

async function writeIds(file: string, count: number): Promise<number> {
  const random = seededRandom(count);
  const out = createWriteStream(file);
  let batch: string[] = [];
  for (let i = 0; i < count; i++) {
    let id = 'dec_';
    for (let c = 0; c < 26; c++) id += CROCKFORD[Math.floor(random() * 32)];
    batch.push(id);
    if (batch.length === 10_000 || i === count - 1) {
      if (!out.write(`${batch.join('\n')}\n`)) await once(out, 'drain');
      batch = [];
    }
  }
  out.end();
  await once(out, 'finish');
  return (await stat(file)).size;
}

async function scan(file: string, onId: (id: string) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) if (line !== '') onId(line);
}

async function select(file: string, withHash: boolean) {
  const lowest = new LowestRanked(SEED, SAMPLE);
  const hash = new PopulationHash();
  await scan(
    file,
    withHash
      ? (id) => {
          lowest.add(id);
          hash.add(id);
        }
      : (id) => lowest.add(id),
  );
  return { selected: lowest.result(), seen: lowest.seen };
}

async function medianMs(run: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

function shuf(file: string): void {
  const result = spawnSync('shuf', ['-n', String(SAMPLE), file], { maxBuffer: 2 ** 20 });
  if (result.status !== 0) throw new Error(`shuf failed: ${result.stderr?.toString() ?? result.error}`);
}

interface ChildMemory {
  /** The child's peak resident set, Node and tsx included, in bytes. */
  readonly peakRss: number;
  /** The most the JavaScript heap held, measured after a full collection every 50,000 ids, in bytes. */
  readonly peakLiveHeap: number;
}

/**
 * Runs the selection over `file` in child processes of its own, so nothing else in this process
 * counts: one for the resident set undisturbed, one with forced collections for the live heap
 * (what the selection actually keeps, free of the collector's timing).
 */
function selectionMemory(file: string): ChildMemory {
  const run = (flags: string[]) => {
    const child = spawnSync(
      process.execPath,
      [...flags, '--import', 'tsx', import.meta.filename, '--child', file],
      {
        cwd: path.join(import.meta.dirname, '..'),
        encoding: 'utf8',
      },
    );
    if (child.status !== 0) throw new Error(`selection child failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as ChildMemory;
  };
  return { peakRss: run([]).peakRss, peakLiveHeap: run(['--expose-gc']).peakLiveHeap };
}

/** Peak resident set of `shuf -n 100` on `file`, where GNU time is available to report it. */
function shufPeakRss(file: string): number | undefined {
  if (!existsSync('/usr/bin/time')) return undefined;
  const result = spawnSync('/usr/bin/time', ['-f', '%M', 'shuf', '-n', String(SAMPLE), file], {
    encoding: 'utf8',
    maxBuffer: 2 ** 20,
  });
  const kib = Number(result.stderr.trim().split('\n').at(-1));
  return Number.isFinite(kib) ? kib * 1024 : undefined;
}

/**
 * The child's own peak resident set in KiB. On Linux this is VmHWM, the high-water mark of the
 * process's address space as created by exec. getrusage's maxRSS is not used there: it also counts
 * the address space the child was forked with, a copy of the parent's, so every child would report
 * at least the parent's size (seen as the same figure for every file when the parent was large).
 */
function ownPeakRssKiB(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (match?.[1]) return Number(match[1]);
  } catch {
    // Not Linux: fall through to getrusage.
  }
  return process.resourceUsage().maxRSS;
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export async function sampleSelection(sizes: readonly number[] = [100_000, 1_000_000]): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-bench-selection-'));
  const lines: string[] = [];
  try {
    const empty = path.join(dir, 'ids-0.txt');
    await writeFile(empty, '');
    const baseline = selectionMemory(empty);
    lines.push(
      `| 0 (empty file) | – | – | – | – | – | ${mib(baseline.peakRss)} | ${mib(baseline.peakLiveHeap)} | – |`,
    );
    for (const count of sizes) {
      const file = path.join(dir, `ids-${count}.txt`);
      const bytes = await writeIds(file, count);
      const { seen, selected } = await select(file, false);
      if (seen !== count || selected.length !== Math.min(SAMPLE, count)) {
        throw new Error(`selection saw ${seen} of ${count} ids and drew ${selected.length}`);
      }
      const readOnly = await medianMs(() => scan(file, () => {}));
      const selection = await medianMs(() => select(file, false));
      const selectionAndHash = await medianMs(() => select(file, true));
      const shufMs = await medianMs(() => shuf(file));
      const shufRss = shufPeakRss(file);
      const size = `${count.toLocaleString('en-GB')} (${mib(bytes)})`;
      const times = [selection, selectionAndHash, readOnly, shufMs].map(seconds).join(' | ');
      const memory = selectionMemory(file);
      lines.push(
        `| ${size} | ${times} | ${(selection / shufMs).toFixed(1)} | ` +
          `${mib(memory.peakRss)} | ${mib(memory.peakLiveHeap)} | ` +
          `${shufRss === undefined ? 'n/a' : mib(shufRss)} |`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    name: `Selecting ${SAMPLE} decisions from a file of synthetic ids`,
    header:
      `| ids (file) | selection (LowestRanked(${SAMPLE})) | selection + population hash | readline alone | ` +
      `shuf -n ${SAMPLE} | ratio selection / shuf | selection peak RSS | selection peak live heap | ` +
      'shuf peak RSS |\n' +
      '|---|---|---|---|---|---|---|---|---|',
    lines,
    notes:
      `Times are the median of ${REPEATS} runs in one process; the ratio compares the selection with ` +
      'GNU shuf on the same file. The selection computes an HMAC-SHA256 of every id, which is what makes ' +
      'it reproducible from the seed, verifiable, and independent of read order; shuf draws from its own ' +
      'random source and can be neither re-derived nor verified, so it is a floor, not an alternative. ' +
      'The population hash adds a SHA-256 and a 256-bit addition per id. Memory is measured in child ' +
      'processes that do only the selection, Node and tsx included (the empty-file row is that overhead ' +
      'alone). Peak RSS is the high-water mark of the resident set: V8 lets garbage (spent lines, HMAC ' +
      'contexts) pile up for a while before collecting it, so it rises by some MiB over the first few ' +
      'hundred thousand ids and then levels off. The peak live heap is what the JavaScript heap still ' +
      'held after a full collection every 50,000 ids: what the selection keeps, which does not grow with ' +
      `the population because only the ${SAMPLE} lowest ranks are held.`,
  };
}

if (process.argv[2] === '--child' && path.resolve(process.argv[1] ?? '') === import.meta.filename) {
  const file = process.argv[3];
  if (file === undefined) throw new Error('usage: --child <file>');
  const collect = (globalThis as { gc?: () => void }).gc;
  const lowest = new LowestRanked(SEED, SAMPLE);
  let peakLiveHeap = 0;
  const measureLiveHeap = () => {
    collect?.();
    peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
  };
  await scan(file, (id) => {
    lowest.add(id);
    if (collect && lowest.seen % 50_000 === 0) measureLiveHeap();
  });
  measureLiveHeap();
  const memory: ChildMemory = { peakRss: ownPeakRssKiB() * 1024, peakLiveHeap };
  console.log(JSON.stringify(memory));
}
