/** Dip samples as the CLI reads and shows them. */
import { InvalidArgumentError } from 'commander';
import type { Proportion, SampleEstimates } from '../shared/sampling/estimates.ts';
import type { Interval, SampleSize } from '../shared/sampling/statistics.ts';
import type { Verification } from '../shared/sampling/verify.ts';
import type { ApiClient } from './api-client.ts';
import { type Cell, formatTable } from './output.ts';

/** Only auditors may draw samples, so the sample commands sign in as one unless told otherwise. */
export const SAMPLE_USER = 'auditor';

export interface StratumSummary {
  readonly key: string;
  readonly populationSize: number;
  readonly populationHash: string;
  readonly sampleSize: number;
  readonly inclusionProbability: number;
}

interface SampleFilter {
  readonly decisionDateFrom: string;
  readonly decisionDateTo: string;
  readonly decisionTypes?: readonly string[];
  readonly outcomeCodes?: readonly string[];
  readonly offenceGroups?: readonly string[];
  readonly decidingBodies?: readonly string[];
  readonly units?: readonly string[];
  readonly daMarker?: boolean;
  readonly custodyDisposals?: readonly string[];
}

interface SampleDesign {
  readonly type: string;
  readonly strataBy?: readonly string[];
  readonly allocation?: string;
  readonly quotas?: Readonly<Record<string, number>>;
}

export interface SampleRecord {
  readonly sampleId: string;
  readonly label?: string;
  readonly request: {
    readonly filter: SampleFilter;
    readonly design: SampleDesign;
    readonly size?: number;
    readonly precision?: { readonly confidence: number; readonly margin: number; readonly expected?: number };
  };
  readonly seedCommitment: string;
  readonly status: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly selectedAt?: string;
  readonly populationSize?: number;
  readonly requestedSize?: number;
  readonly drawnSize?: number;
  readonly sizeNote?: string;
  readonly strata?: readonly StratumSummary[];
  readonly manifestKey?: string;
  readonly failure?: string;
  /** Why the design could not be drawn, in words. */
  readonly problem?: string;
  readonly topUpOf?: string;
  /** Revealed once the sample has been drawn. */
  readonly seed?: string;
}

export interface ManifestLinks {
  readonly json: string;
  readonly csv: string;
  readonly expiresAt: string;
}

/** What the sample-size, estimates and verification routes answer: the shapes their handlers return. */
export type { SampleEstimates, SampleSize, Verification };

/** The status a sample leaves by itself, once its draw has run. */
export const DRAWING_STATUS = 'REQUESTED';
const BLANK = '–';
const IDS_SHOWN = 20;

export function getSample(client: ApiClient, sampleId: string): Promise<SampleRecord> {
  return client.get<SampleRecord>(`/samples/${encodeURIComponent(sampleId)}`);
}

/** A number option; whether it is in range, or whole, is for the API to say, naming the field. */
export function numberArgument(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError('expected a number.');
  return parsed;
}

/** A comma-separated list option, such as `rape,stalking`. */
export function listArgument(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Quotas as `STRATUM:SIZE,…`; a stratum key holds `=` and `|` but never `:` or `,`. */
export function quotasArgument(value: string): Record<string, number> {
  const quotas: Record<string, number> = {};
  for (const quota of listArgument(value)) {
    const separator = quota.lastIndexOf(':');
    const stratum = quota.slice(0, separator).trim();
    if (separator < 0 || stratum === '') {
      throw new InvalidArgumentError(`"${quota}" is not STRATUM:SIZE, such as offenceGroup=rape:10.`);
    }
    quotas[stratum] = numberArgument(quota.slice(separator + 1));
  }
  return quotas;
}

export function formatSample(sample: SampleRecord): string {
  const { request } = sample;
  const fields: [string, string][] = [['sample', sample.sampleId]];
  if (sample.label) fields.push(['label', sample.label]);
  fields.push(['status', sample.status]);
  if (sample.topUpOf) fields.push(['top-up of', sample.topUpOf]);
  fields.push(['requested', `${sample.requestedAt} by ${sample.requestedBy}`]);
  if (sample.selectedAt) fields.push(['drawn', sample.selectedAt]);
  fields.push(['period', `${request.filter.decisionDateFrom} to ${request.filter.decisionDateTo}`]);
  const filter = describeFilter(request.filter);
  if (filter) fields.push(['filter', filter]);
  fields.push(['design', describeDesign(request.design)]);
  if (request.precision) fields.push(['precision', describePrecision(request.precision)]);
  if (sample.populationSize !== undefined) fields.push(['population', `${sample.populationSize} decisions`]);
  fields.push(['size', describeSize(sample)]);
  if (sample.sizeNote) fields.push(['size note', sample.sizeNote]);
  fields.push(['seed', sample.seed ?? 'revealed once the sample is drawn']);
  fields.push(['seed commitment', sample.seedCommitment]);
  if (sample.failure) fields.push(['failure', sample.failure]);
  if (sample.manifestKey) fields.push(['manifest', sample.manifestKey]);
  const sections = [formatTable(fields, '')];
  if (sample.strata && sample.strata.length > 0) sections.push(`strata\n${formatStrata(sample.strata)}`);
  return sections.join('\n\n');
}

function describeFilter(filter: SampleFilter): string {
  const parts: string[] = [];
  const list = (name: string, values: readonly string[] | undefined) => {
    if (values && values.length > 0) parts.push(`${name} ${values.join(', ')}`);
  };
  list('decision types', filter.decisionTypes);
  list('outcome codes', filter.outcomeCodes);
  list('offence groups', filter.offenceGroups);
  list('deciding bodies', filter.decidingBodies);
  list('units', filter.units);
  list('custody disposals', filter.custodyDisposals);
  if (filter.daMarker !== undefined) parts.push(filter.daMarker ? 'DA marker set' : 'DA marker not set');
  return parts.join('; ');
}

function describeDesign(design: SampleDesign): string {
  const parts = [design.type];
  if (design.strataBy) parts.push(`by ${design.strataBy.join(', ')}`);
  if (design.allocation) parts.push(`(${design.allocation} allocation)`);
  const quotas = Object.entries(design.quotas ?? {});
  const quotaList = quotas.map(([key, size]) => `${key}:${size}`).join(', ');
  return quotas.length > 0 ? `${parts.join(' ')}; quotas ${quotaList}` : parts.join(' ');
}

function describePrecision(precision: NonNullable<SampleRecord['request']['precision']>): string {
  const expected = precision.expected === undefined ? '' : `, expected rate ${percent(precision.expected)}`;
  return `confidence ${percent(precision.confidence)}, margin ±${percent(precision.margin)}${expected}`;
}

function describeSize(sample: SampleRecord): string {
  const requested = sample.requestedSize ?? sample.request.size;
  const parts = [
    requested === undefined ? undefined : `${requested} requested`,
    sample.drawnSize === undefined ? undefined : `${sample.drawnSize} drawn`,
  ].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'not drawn yet';
}

function formatStrata(strata: readonly StratumSummary[]): string {
  return formatTable([
    ['stratum', 'population', 'sample', 'inclusion probability'],
    ...strata.map((stratum): Cell[] => [
      stratum.key,
      stratum.populationSize,
      stratum.sampleSize,
      Number(stratum.inclusionProbability.toPrecision(4)),
    ]),
  ]);
}

export function formatSampleList(samples: readonly SampleRecord[]): string {
  if (samples.length === 0) return 'No samples yet.';
  return formatTable(
    [
      ['sample', 'label', 'status', 'requested', 'population', 'drawn'],
      ...samples.map((sample): Cell[] => [
        sample.sampleId,
        sample.label ?? BLANK,
        sample.status,
        sample.requestedAt,
        sample.populationSize ?? BLANK,
        sample.drawnSize ?? BLANK,
      ]),
    ],
    '',
  );
}

export function formatSampleSize(size: SampleSize): string {
  // The formula reads as one step per clause: n0, then the finite population correction.
  const steps = size.formula.split('; ').map((step) => `  ${step}`);
  return [
    `n = ${size.n}`,
    `  n0 = ${Number(size.n0.toFixed(4))} before the finite population correction`,
    ...steps,
  ].join('\n');
}

export function formatVerification(verification: Verification): string {
  const lines = [`sample ${verification.sampleId}`, ''];
  for (const { check, ok, detail } of verification.checks) {
    lines.push(`${ok ? '✓' : '✗'} ${check}${detail ? `: ${detail}` : ''}`);
  }
  const idList = (heading: string, ids: readonly string[]) => {
    if (ids.length === 0) return;
    lines.push('', `${heading} (${ids.length}):`, ...ids.slice(0, IDS_SHOWN).map((id) => `  ${id}`));
    if (ids.length > IDS_SHOWN) lines.push(`  and ${ids.length - IDS_SHOWN} more`);
  };
  idList('In the manifest but not in the re-derivation', verification.notInRederivation);
  idList('In the re-derivation but missing from the manifest', verification.missingFromManifest);
  lines.push(
    '',
    verification.matches
      ? 'The manifest is the sample of record, and re-derives from its population.'
      : 'The manifest does NOT match the sample of record.',
  );
  const changed = verification.populationNow?.strata.filter((s) => s.drawnFrom !== s.now || !s.sameDecisions);
  if (changed && changed.length > 0) {
    lines.push(
      '',
      'The population index has changed since the draw (a later import into the period):',
      ...changed.map(
        (s) => `  ${s.key}: ${s.drawnFrom} then, ${s.now} now${s.sameDecisions ? '' : ', other decisions'}`,
      ),
    );
  }
  return lines.join('\n');
}

export function formatEstimates(estimates: SampleEstimates): string {
  const row = (name: string, population: number | string, proportion: Proportion): Cell[] => [
    name,
    population,
    proportion.drawn,
    proportion.concluded,
    proportion.nonCompliant,
    proportion.wilson ? percent(proportion.wilson.estimate) : BLANK,
    proportion.wilson ? interval(proportion.wilson) : BLANK,
    proportion.clopperPearson ? interval(proportion.clopperPearson) : BLANK,
  ];
  const { overall, unweighted } = estimates;
  const weighted = overall.weightedBy === 'stratum size';
  const table = formatTable([
    ['', 'population', 'drawn', 'concluded', 'non-compliant', 'rate', 'Wilson 95%', 'Clopper-Pearson 95%'],
    row(weighted ? 'overall (weighted)' : 'overall', overall.populationSize, overall),
    ...estimates.strata.map((stratum) => row(stratum.key, stratum.populationSize, stratum)),
    ...(unweighted ? [row('unweighted (pooled)', BLANK, unweighted)] : []),
  ]);
  const closing = [
    overall.rate === undefined
      ? `no overall rate: ${overall.refused ?? 'no case has concluded'}`
      : `overall rate ${percent(overall.rate)}${weighted ? ', weighted by stratum size' : ''}; ` +
        `intervals by ${overall.method}` +
        (overall.effectiveSampleSize
          ? ` (effective sample size ${overall.effectiveSampleSize.toFixed(1)})`
          : ''),
    ...overall.notes,
    ...(unweighted ? [`unweighted (pooled): ${unweighted.label}`] : []),
    estimates.note,
  ];
  return `sample ${estimates.sampleId} (${estimates.status})\n\nnon-compliance\n${table}\n\n${closing.join('\n')}`;
}

function percent(proportion: number): string {
  return `${(proportion * 100).toFixed(1)}%`;
}

function interval({ lower, upper }: Interval): string {
  return `${percent(lower)} to ${percent(upper)}`;
}
