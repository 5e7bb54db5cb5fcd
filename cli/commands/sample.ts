/**
 * `scrutineer sample …`: request a dip sample and follow its draw to the manifest, look at samples,
 * work out a sample size, verify a manifest against the population, and read the estimates.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { SampleSizeQuerySchema } from '../../shared/sampling/sample.ts';
import { sampleSize } from '../../shared/sampling/statistics.ts';
import { parseOrThrow } from '../../shared/validation.ts';
import { type ApiClient, download } from '../api-client.ts';
import { connect, withSignInOptions } from '../config.ts';
import { type Cell, formatTable, result, status, stderrIsTerminal } from '../output.ts';
import {
  DRAWING_STATUS,
  formatEstimates,
  formatSample,
  formatSampleList,
  formatSampleSize,
  formatVerification,
  getSample,
  listArgument,
  type ManifestLinks,
  numberArgument,
  quotasArgument,
  SAMPLE_USER,
  type SampleEstimates,
  type SampleRecord,
  type Verification,
} from '../samples.ts';

const POLL_INTERVAL_MS = 250;
const SPINNER_INTERVAL_MS = 100;
const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface CreateOptions {
  readonly from: string;
  readonly to: string;
  readonly decisionType?: string[];
  readonly outcome?: string[];
  readonly offenceGroup?: string[];
  readonly decidingBody?: string[];
  readonly unit?: string[];
  readonly daMarker?: 'yes' | 'no';
  readonly custodyDisposal?: string[];
  readonly design?: string;
  readonly strata?: string[];
  readonly allocation?: string;
  readonly quota?: Record<string, number>;
  readonly size?: number;
  readonly confidence?: number;
  readonly margin?: number;
  readonly expected?: number;
  readonly seed?: string;
  readonly label?: string;
  readonly includeUnderReview?: boolean;
  readonly excludeReviewedWithin?: number;
  readonly out?: string;
  readonly wait: boolean;
}

interface JsonOption {
  readonly json?: boolean;
}

export function addSampleCommand(program: Command): void {
  const sample = program.command('sample').description('draw, look at and verify dip samples of decisions');
  addCreate(sample);
  addTopUp(sample);
  addShow(sample);
  addList(sample);
  addSize(sample);
  addVerify(sample);
  addEstimates(sample);
  addReveal(sample);
  addReview(sample);
}

interface ReviewOptions extends JsonOption {
  readonly auditors: string[];
  readonly deadline: string;
  readonly perCase?: number;
  readonly date?: string;
}

function addReview(sample: Command): void {
  withSignInOptions(
    sample
      .command('review')
      .description(
        "open an audit review round of the sample's waiting cases, led by you, and route them to the auditors (again: add cases back to waiting)",
      )
      .argument('<sampleId>', 'the sample id, such as smp_01j…')
      .requiredOption(
        '--auditors <ids>',
        'the auditors who review, as reviewer ids, comma-separated',
        listArgument,
      )
      .requiredOption('--deadline <date>', 'when their findings are due, YYYY-MM-DD')
      .option('--per-case <n>', 'auditors per case (default 2)', numberArgument)
      .option('--date <date>', 'when you moderate and close the round (default: the deadline)')
      .option('--json', "print the API's answer as JSON"),
    SAMPLE_USER,
  ).action(async (sampleId: string, options: ReviewOptions, command: Command) => {
    const opened = await (await connect(command)).post<{
      sitting: { sittingId: string; agenda: string[]; findingsDeadline: string };
      added: string[];
      routing: { execution: string };
    }>(`/samples/${encodeURIComponent(sampleId)}/review-rounds`, {
      auditorReviewerIds: options.auditors,
      findingsDeadline: options.deadline,
      ...(options.perCase !== undefined ? { reviewersPerCase: options.perCase } : {}),
      ...(options.date !== undefined ? { date: options.date } : {}),
    });
    const { sitting } = opened;
    result(
      options.json
        ? JSON.stringify(opened, null, 2)
        : [
            `Audit review round ${sitting.sittingId}: ${sitting.agenda.length} cases (${opened.added.length} added now), findings due ${sitting.findingsDeadline}.`,
            `Routing to the auditors: ${opened.routing.execution}. Follow it with: scrutineer sittings progress ${sitting.sittingId}`,
          ].join('\n'),
    );
  });
}

function addReveal(sample: Command): void {
  withSignInOptions(
    sample
      .command('reveal')
      .description("reveal the crime references, as the force writes them, behind a sample's picks (audited)")
      .argument('<sampleId>', 'the sample id, such as smp_01j…')
      .requiredOption('--reason <text>', 'why the references are needed, for the audit trail')
      .option('--json', 'print the references as JSON'),
    SAMPLE_USER,
  ).action(async (sampleId: string, options: JsonOption & { reason: string }, command: Command) => {
    const { items } = await (await connect(command)).post<{
      items: { decisionId: string; caseId?: string; crimeReference?: string }[];
    }>(`/samples/${encodeURIComponent(sampleId)}/reveal`, { reason: options.reason });
    result(
      options.json
        ? JSON.stringify(items, null, 2)
        : formatTable(
            [
              ['crime reference', 'decision', 'case'],
              ...items.map((item): Cell[] => [
                item.crimeReference ?? '(imported before references were sealed)',
                item.decisionId,
                item.caseId ?? '',
              ]),
            ],
            '',
          ),
    );
  });
}

function addCreate(sample: Command): void {
  withSignInOptions(
    sample
      .command('create')
      .description(
        'request a dip sample, follow its draw, and sum it up with the seed and the manifest links',
      )
      .requiredOption('--from <date>', 'first decision date of the population, YYYY-MM-DD')
      .requiredOption('--to <date>', 'last decision date of the population, YYYY-MM-DD')
      .option(
        '--decision-type <types>',
        'decision types, comma-separated (default: police_nfa,cps_nfa,filed)',
        listArgument,
      )
      .option('--outcome <codes>', 'outcome codes, comma-separated, such as 14,16', listArgument)
      .option(
        '--offence-group <groups>',
        'offence groups, comma-separated, such as rape,stalking',
        listArgument,
      )
      .option('--deciding-body <bodies>', 'police or cps (or both, comma-separated)', listArgument)
      .option('--unit <units>', 'units, comma-separated, such as "PPU North,FCID"', listArgument)
      .addOption(
        new Option('--da-marker <marker>', 'only decisions with (yes) or without (no) the DA marker').choices(
          ['yes', 'no'],
        ),
      )
      .option(
        '--custody-disposal <disposals>',
        'custody disposals, comma-separated, such as bailed_without_conditions',
        listArgument,
      )
      .addOption(
        new Option('--design <design>', 'default: stratified with --strata, otherwise simple').choices([
          'simple',
          'stratified',
          'census',
        ]),
      )
      .option(
        '--strata <fields>',
        'fields that define the strata, comma-separated, such as offenceGroup,decidingBody',
        listArgument,
      )
      .addOption(
        new Option('--allocation <allocation>', 'how a stratified sample shares its size out').choices([
          'proportional',
          'equal',
          'fixed',
        ]),
      )
      .option(
        '--quota <quotas>',
        'sizes of a fixed allocation, such as "offenceGroup=rape:10,offenceGroup=stalking:5"',
        quotasArgument,
      )
      .option('--size <n>', 'how many decisions to draw', numberArgument)
      .option(
        '--confidence <level>',
        'instead of --size: the confidence level wanted, such as 0.95',
        numberArgument,
      )
      .option('--margin <margin>', 'with --confidence: the margin of error, such as 0.05', numberArgument)
      .option(
        '--expected <rate>',
        'with --confidence: the expected rate of non-compliance (default 0.5)',
        numberArgument,
      )
      .option('--seed <seed>', 'the seed, at least 16 characters (default: a random one)')
      .option('--label <label>', 'tells a deliberate repeat of the same request apart')
      .option('--include-under-review', 'also draw decisions whose review case is still open')
      .option(
        '--exclude-reviewed-within <days>',
        'leave out decisions whose review opened within this many days',
        numberArgument,
      )
      .option('--out <dir>', 'download the manifest (JSON and CSV) into this folder')
      .option('--no-wait', 'print the sample id once requested, without following the draw'),
    SAMPLE_USER,
  ).action(async (options: CreateOptions, command: Command) => {
    await createSample(options, command);
  });
}

/** The POST /samples body: only what was given, so the API's defaults and checks apply. */
function sampleRequest(options: CreateOptions): Record<string, unknown> {
  const filter = {
    decisionDateFrom: options.from,
    decisionDateTo: options.to,
    ...(options.decisionType ? { decisionTypes: options.decisionType } : {}),
    ...(options.outcome ? { outcomeCodes: options.outcome } : {}),
    ...(options.offenceGroup ? { offenceGroups: options.offenceGroup } : {}),
    ...(options.decidingBody ? { decidingBodies: options.decidingBody } : {}),
    ...(options.unit ? { units: options.unit } : {}),
    ...(options.daMarker ? { daMarker: options.daMarker === 'yes' } : {}),
    ...(options.custodyDisposal ? { custodyDisposals: options.custodyDisposal } : {}),
  };
  const design = {
    type: options.design ?? (options.strata ? 'stratified' : 'simple'),
    ...(options.strata ? { strataBy: options.strata } : {}),
    ...(options.allocation ? { allocation: options.allocation } : {}),
    ...(options.quota ? { quotas: options.quota } : {}),
  };
  const wantsPrecision = [options.confidence, options.margin, options.expected].some(
    (value) => value !== undefined,
  );
  return {
    ...(options.label !== undefined ? { label: options.label } : {}),
    filter,
    design,
    ...(options.size !== undefined ? { size: options.size } : {}),
    ...(wantsPrecision
      ? {
          precision: {
            confidence: options.confidence,
            margin: options.margin,
            ...(options.expected !== undefined ? { expected: options.expected } : {}),
          },
        }
      : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    exclude: {
      underReview: !options.includeUnderReview,
      ...(options.excludeReviewedWithin !== undefined
        ? { reviewedWithinDays: options.excludeReviewedWithin }
        : {}),
    },
  };
}

async function createSample(options: CreateOptions, command: Command): Promise<void> {
  // Before the draw, so a folder that cannot be written to fails before anything is requested.
  if (options.out !== undefined) await mkdir(options.out, { recursive: true });
  const client = await connect(command);
  await requestAndFollow(client, options, () =>
    client.post<SampleRecord>('/samples', sampleRequest(options)),
  );
}

interface TopUpOptions {
  readonly additional: number;
  readonly label?: string;
  readonly out?: string;
  readonly wait: boolean;
}

function addTopUp(sample: Command): void {
  withSignInOptions(
    sample
      .command('top-up')
      .description('draw more from a drawn sample with the same seed, leaving what it drew unchanged')
      .argument('<sampleId>', 'the sample to top up, such as smp_01j…')
      .requiredOption('--additional <n>', 'how many more decisions to draw', numberArgument)
      .option('--label <label>', 'tells a second top-up on the same day apart')
      .option('--out <dir>', 'download the top-up manifest (JSON and CSV) into this folder')
      .option('--no-wait', 'print the top-up id once requested, without following the draw'),
    SAMPLE_USER,
  ).action(async (sampleId: string, options: TopUpOptions, command: Command) => {
    if (options.out !== undefined) await mkdir(options.out, { recursive: true });
    const client = await connect(command);
    await requestAndFollow(client, options, () =>
      client.post<SampleRecord>(`/samples/${encodeURIComponent(sampleId)}/top-ups`, {
        additional: options.additional,
        ...(options.label ? { label: options.label } : {}),
      }),
    );
  });
}

async function requestAndFollow(
  client: ApiClient,
  options: { readonly out?: string; readonly wait: boolean },
  request: () => Promise<SampleRecord>,
): Promise<void> {
  const created = await request();
  const { sampleId } = created;
  if (!options.wait) {
    status(`Requested sample ${sampleId} with seed commitment ${created.seedCommitment}.`);
    status(`Follow it with: scrutineer sample show ${sampleId}`);
    result(sampleId);
    return;
  }
  result(`Requested sample ${sampleId}`);
  result(`Seed commitment ${created.seedCommitment} (SHA-256 of the seed, fixed before the draw)`);

  const drawn = await followDraw(client, sampleId);
  if (drawn.status !== 'SELECTED') {
    // The problem says why in words; the failure alone may be only the error's name.
    const reason = [drawn.failure, drawn.problem].filter(Boolean).join(': ');
    status(`error: sample ${sampleId} ${drawn.status}${reason ? `: ${reason}` : ''}`);
    status(`Details: scrutineer sample show ${sampleId}`);
    process.exitCode = 1;
    return;
  }
  result(`\n${formatSample(drawn)}`);
  const links = await client.get<ManifestLinks>(`/samples/${encodeURIComponent(sampleId)}/manifest`);
  result(`\nmanifest links (valid until ${links.expiresAt})\n  json  ${links.json}\n  csv   ${links.csv}`);
  if (options.out !== undefined) {
    const saved = await saveManifest(links, options.out, sampleId);
    result(`\nSaved the manifest to ${saved.join(' and ')}`);
  }
}

/** Polls the sample until its draw has run, with a spinner on a terminal and status lines elsewhere. */
async function followDraw(client: ApiClient, sampleId: string): Promise<SampleRecord> {
  const started = Date.now();
  let current = DRAWING_STATUS;
  let frame = 0;
  const spinner = stderrIsTerminal()
    ? setInterval(() => {
        frame = (frame + 1) % SPINNER_FRAMES.length;
        const seconds = Math.floor((Date.now() - started) / 1000);
        process.stderr.write(
          `\r${SPINNER_FRAMES[frame]} Drawing sample ${sampleId}: ${current} (${seconds} s)\x1b[K`,
        );
      }, SPINNER_INTERVAL_MS)
    : undefined;
  if (!spinner) status(`Drawing sample ${sampleId}…`);
  const stopSpinner = () => {
    if (!spinner) return;
    clearInterval(spinner);
    process.stderr.write('\r\x1b[K');
  };
  const stopWatching = () => {
    stopSpinner();
    status(`\nStopped following; the draw carries on. See it with: scrutineer sample show ${sampleId}`);
    process.exit(130);
  };
  process.once('SIGINT', stopWatching);
  try {
    for (;;) {
      const sample = await getSample(client, sampleId);
      current = sample.status;
      if (sample.status !== DRAWING_STATUS) {
        if (!spinner) status(`Sample ${sampleId}: ${sample.status}`);
        return sample;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  } finally {
    stopSpinner();
    process.removeListener('SIGINT', stopWatching);
  }
}

async function saveManifest(links: ManifestLinks, folder: string, sampleId: string): Promise<string[]> {
  const files = [
    [links.json, path.join(folder, `${sampleId}.manifest.json`)],
    [links.csv, path.join(folder, `${sampleId}.manifest.csv`)],
  ] as const;
  for (const [url, file] of files) await pipeline(await download(url), createWriteStream(file));
  return files.map(([, file]) => file);
}

function addShow(sample: Command): void {
  withSignInOptions(
    sample
      .command('show')
      .description('show one sample: its status, population, size, strata and seed once drawn')
      .argument('<sampleId>', 'the sample id, such as smp_01j…')
      .option('--json', 'print the sample record as JSON'),
    SAMPLE_USER,
  ).action(async (sampleId: string, options: JsonOption, command: Command) => {
    const record = await getSample(await connect(command), sampleId);
    result(options.json ? JSON.stringify(record, null, 2) : formatSample(record));
  });
}

function addList(sample: Command): void {
  withSignInOptions(
    sample
      .command('list')
      .description('list dip samples, newest first')
      .option('--json', 'print the sample records as JSON'),
    SAMPLE_USER,
  ).action(async (options: JsonOption, command: Command) => {
    const { items } = await (await connect(command)).get<{ items: SampleRecord[] }>('/samples');
    result(options.json ? JSON.stringify(items, null, 2) : formatSampleList(items));
  });
}

interface SizeOptions extends JsonOption {
  readonly confidence: number;
  readonly margin: number;
  readonly population?: number;
  readonly expected?: number;
}

/** Arithmetic, so worked out here with the API's own schema and function: no stack needs to run. */
function addSize(sample: Command): void {
  sample
    .command('size')
    .description('the sample size for a confidence level and margin of error, with the formula')
    .requiredOption('--confidence <level>', 'the confidence level, such as 0.95', numberArgument)
    .requiredOption('--margin <margin>', 'the margin of error, such as 0.05', numberArgument)
    .option('--population <n>', 'the population size, for the finite population correction', numberArgument)
    .option(
      '--expected <rate>',
      'the expected rate of non-compliance (default 0.5, the safe choice)',
      numberArgument,
    )
    .option('--json', 'print the answer as JSON')
    .action((options: SizeOptions) => {
      const settings = parseOrThrow(
        SampleSizeQuerySchema,
        {
          confidence: options.confidence,
          margin: options.margin,
          expected: options.expected,
          population: options.population,
        },
        'sample size settings',
      );
      const size = sampleSize(settings);
      result(options.json ? JSON.stringify(size, null, 2) : formatSampleSize(size));
    });
}

function addVerify(sample: Command): void {
  withSignInOptions(
    sample
      .command('verify')
      .description('re-derive a sample from its manifest and the population, and say what differs')
      .argument('<manifest>', 'the manifest JSON file, as `sample create --out` saves it')
      .option('--json', 'print the verification as JSON'),
    SAMPLE_USER,
  ).action(async (file: string, options: JsonOption, command: Command) => {
    const manifest = await readManifest(file);
    const client = await connect(command);
    const verification = await client.post<Verification>('/sample-verifications', manifest);
    result(options.json ? JSON.stringify(verification, null, 2) : formatVerification(verification));
    if (!verification.matches) process.exitCode = 1;
  });
}

async function readManifest(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'EISDIR') throw new Error(`There is no file ${file}.`);
    throw error;
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not a JSON manifest: ${(error as Error).message}`);
  }
}

function addEstimates(sample: Command): void {
  withSignInOptions(
    sample
      .command('estimates')
      .description('the rate of non-compliance found so far, with 95% intervals, overall and per stratum')
      .argument('<sampleId>', 'the sample id, such as smp_01j…')
      .option('--json', 'print the estimates as JSON'),
    SAMPLE_USER,
  ).action(async (sampleId: string, options: JsonOption, command: Command) => {
    const client = await connect(command);
    const estimates = await client.get<SampleEstimates>(`/samples/${encodeURIComponent(sampleId)}/estimates`);
    result(options.json ? JSON.stringify(estimates, null, 2) : formatEstimates(estimates));
  });
}
