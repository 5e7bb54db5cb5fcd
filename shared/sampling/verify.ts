/**
 * Re-deriving a sample from its manifest: the seed must match its commitment, every pick's rank
 * must be its HMAC under the seed, and drawing again from the population as it stands now (less the
 * decisions the manifest says were excluded) must give the same strata and the same picks. What
 * differs is named, so a changed population is told apart from a tampered manifest.
 */
import { z } from 'zod';
import { populationEntries } from './population.ts';
import { DesignSchema, PopulationFilterSchema, stratumKey } from './sample.ts';
import { LowestRanked, PopulationHash, rankOf, SELECTION_ALGORITHM, seedCommitment } from './selection.ts';

export const ManifestSchema = z.object({
  sampleId: z.string(),
  filter: PopulationFilterSchema,
  design: DesignSchema,
  exclusions: z.object({ excludedDecisionIds: z.array(z.string()) }).passthrough(),
  seedCommitment: z.string(),
  seed: z.string(),
  algorithm: z.string(),
  populationSize: z.number().int(),
  strata: z.array(
    z.object({
      key: z.string(),
      populationSize: z.number().int(),
      populationHash: z.string(),
      sampleSize: z.number().int(),
    }),
  ),
  picks: z.array(z.object({ decisionId: z.string(), stratum: z.string(), rank: z.string() })),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export interface VerificationCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface Verification {
  readonly sampleId: string;
  readonly matches: boolean;
  readonly checks: VerificationCheck[];
  /** Picks the manifest lists that a fresh draw does not give, and the other way round. */
  readonly missingFromManifest: string[];
  readonly notInRederivation: string[];
}

export async function verifyManifest(manifest: Manifest): Promise<Verification> {
  const checks: VerificationCheck[] = [];
  checks.push({
    check: 'algorithm',
    ok: manifest.algorithm === SELECTION_ALGORITHM,
    detail: manifest.algorithm === SELECTION_ALGORITHM ? undefined : `manifest uses ${manifest.algorithm}`,
  });
  const seedOk = seedCommitment(manifest.seed) === manifest.seedCommitment;
  checks.push({
    check: 'seed matches its commitment',
    ok: seedOk,
    detail: seedOk ? undefined : 'SHA-256 of the seed is not the committed hash',
  });
  const wrongRanks = manifest.picks.filter((pick) => rankOf(manifest.seed, pick.decisionId) !== pick.rank);
  checks.push({
    check: 'every rank is HMAC-SHA256(seed, decisionId)',
    ok: wrongRanks.length === 0,
    detail:
      wrongRanks.length === 0
        ? undefined
        : `${wrongRanks.length} picks carry a wrong rank, e.g. ${wrongRanks[0]?.decisionId}`,
  });

  const excluded = new Set(manifest.exclusions.excludedDecisionIds);
  const hashes = new Map<string, PopulationHash>();
  const draws = new Map(
    manifest.strata.map((stratum) => [
      stratum.key,
      new LowestRanked(manifest.seed, stratum.sampleSize, excluded),
    ]),
  );
  for await (const entry of populationEntries(manifest.filter)) {
    if (excluded.has(entry.decisionId)) continue;
    const key = stratumKey(entry, manifest.design.strataBy);
    const hash = hashes.get(key) ?? new PopulationHash();
    hashes.set(key, hash);
    hash.add(entry.decisionId);
    draws.get(key)?.add(entry.decisionId);
  }
  for (const stratum of manifest.strata) {
    const now = hashes.get(stratum.key);
    const sameCount = (now?.count ?? 0) === stratum.populationSize;
    const sameHash = (now?.digest() ?? '') === stratum.populationHash;
    checks.push({
      check: `population of ${stratum.key}`,
      ok: sameCount && sameHash,
      detail:
        sameCount && sameHash
          ? undefined
          : `manifest: ${stratum.populationSize} decisions; now: ${now?.count ?? 0}${sameCount ? ' (same count, different decisions)' : ''}`,
    });
  }
  for (const key of hashes.keys()) {
    if (!manifest.strata.some((stratum) => stratum.key === key)) {
      checks.push({
        check: `population of ${key}`,
        ok: false,
        detail: 'a stratum the manifest does not list',
      });
    }
  }
  const rederived = new Set(
    [...draws.values()].flatMap((draw) => draw.result().map((pick) => pick.decisionId)),
  );
  const listed = new Set(manifest.picks.map((pick) => pick.decisionId));
  const missingFromManifest = [...rederived].filter((id) => !listed.has(id)).sort();
  const notInRederivation = [...listed].filter((id) => !rederived.has(id)).sort();
  checks.push({
    check: 'picks re-derived from the population',
    ok: missingFromManifest.length === 0 && notInRederivation.length === 0,
    detail:
      missingFromManifest.length + notInRederivation.length === 0
        ? undefined
        : `${notInRederivation.length} listed picks not re-derived, ${missingFromManifest.length} re-derived picks not listed`,
  });
  return {
    sampleId: manifest.sampleId,
    matches: checks.every((check) => check.ok),
    checks,
    missingFromManifest,
    notInRederivation,
  };
}
