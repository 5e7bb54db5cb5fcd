/**
 * The population listing of a drawn sample: a CSV in the evidence bucket beside its manifest, with
 * the stratum and decision id of every decision the sample was drawn from (after exclusions),
 * sorted by stratum and then decision id. The manifest and the sample record carry its SHA-256.
 * With it and the manifest, anyone can recount, rehash and redraw the sample without database
 * access; a top-up draws from its first sample's listing.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { s3 } from '../aws-clients.ts';
import { ENV, requireEnv } from '../environment.ts';
import { ConflictError } from '../errors.ts';
import { sha256Hex } from '../evidence/manifest.ts';
import type { SampleRecord } from './sample.ts';

export const POPULATION_COLUMNS = ['stratum', 'decisionId'] as const;

export interface ListedDecision {
  readonly stratum: string;
  readonly decisionId: string;
}

/** The decision ids of each stratum, strata and ids sorted: the listing's order. */
export function groupByStratum(rows: Iterable<ListedDecision>): Record<string, string[]> {
  const strata = new Map<string, string[]>();
  for (const { stratum, decisionId } of rows) {
    const ids = strata.get(stratum) ?? [];
    strata.set(stratum, ids);
    ids.push(decisionId);
  }
  return Object.fromEntries([...strata.keys()].sort().map((key) => [key, (strata.get(key) ?? []).sort()]));
}

/** The listing's bytes from the ids per stratum, in the listing's order. */
export function populationCsv(strata: Readonly<Record<string, readonly string[]>>): string {
  return stringify(
    Object.keys(strata)
      .sort()
      .flatMap((stratum) => [...(strata[stratum] ?? [])].sort().map((decisionId) => [stratum, decisionId])),
    { header: true, columns: [...POPULATION_COLUMNS] },
  );
}

export function parsePopulationCsv(text: string): ListedDecision[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as ListedDecision[];
}

export interface PopulationListing {
  readonly text?: string;
  readonly sha256?: string;
  /** Why the listing cannot be used: missing, or not the bytes the record names. */
  readonly problem?: string;
}

/** Reads the listing of a drawn sample and checks it against the SHA-256 on its record. */
export async function readPopulationListing(record: SampleRecord): Promise<PopulationListing> {
  if (!record.populationKey || !record.populationSha256) {
    return { problem: `sample ${record.sampleId} has no population listing` };
  }
  const object = await s3
    .send(new GetObjectCommand({ Bucket: requireEnv(ENV.evidenceBucket), Key: record.populationKey }))
    .catch((error: Error) => {
      if (error.name === 'NoSuchKey') return undefined;
      throw error;
    });
  const text = await object?.Body?.transformToString('utf8');
  if (text === undefined) return { problem: `the population listing of ${record.sampleId} is missing` };
  const sha256 = sha256Hex(text);
  if (sha256 !== record.populationSha256) {
    return { text, sha256, problem: `the population listing of ${record.sampleId} is not the one recorded` };
  }
  return { text, sha256 };
}

/** The listing of a sample to draw a top-up from; a ConflictError when there is none to trust. */
export async function listingToDrawFrom(record: SampleRecord): Promise<ListedDecision[]> {
  const listing = await readPopulationListing(record);
  if (listing.problem || listing.text === undefined) {
    throw new ConflictError(`Cannot top up from the population it was drawn from: ${listing.problem}`);
  }
  return parsePopulationCsv(listing.text);
}
