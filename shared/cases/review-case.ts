/**
 * A review case: one decision under scrutiny, opened by a dip sample or a nomination. Its state
 * lives here (not in a waiting workflow): OPEN → (ROUTING) → ASSIGNED → IN_REVIEW → (MODERATION) → CONCLUDED
 * → CLOSED, or WITHDRAWN, or CARRIED_OVER to the next sitting.
 */
import { z } from 'zod';

export const CASE_STATUSES = [
  'OPEN',
  'ROUTING',
  'ASSIGNED',
  'IN_REVIEW',
  'MODERATION',
  'CONCLUDED',
  'CLOSED',
  'WITHDRAWN',
  'CARRIED_OVER',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** A case in one of these is under review: its decision is not sampled again meanwhile. */
export const UNDER_REVIEW: readonly CaseStatus[] = [
  'OPEN',
  'ROUTING',
  'ASSIGNED',
  'IN_REVIEW',
  'MODERATION',
  'CARRIED_OVER',
];

const asArray = (value: unknown) => (value instanceof Set ? [...value].sort() : value);

export const CaseOriginSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dip-sample'), sampleId: z.string(), stratum: z.string(), rank: z.string() }),
  z.object({ kind: z.literal('nomination') }),
]);

export const ReviewCaseSchema = z.object({
  caseId: z.string(),
  decisionId: z.string(),
  origin: CaseOriginSchema,
  /** Everyone who nominated the decision (subjects), kept as a set so a merge never duplicates. */
  nominators: z.preprocess(asArray, z.array(z.string())).optional(),
  sittingId: z.string().optional().describe('The sitting whose agenda holds the case'),
  status: z.enum(CASE_STATUSES),
  openedAt: z.iso.datetime(),
  concludedAt: z.iso.datetime().optional(),
  verdict: z.string().optional(),
  concludedBy: z.enum(['agreement', 'moderation']).optional(),
  /** Sittings this case was carried over from, oldest first, and the last carry-over: when, by whom, why. */
  carriedOverFrom: z.array(z.string()).optional(),
  carriedOver: z.object({ at: z.iso.datetime(), by: z.string(), why: z.string() }).optional(),
  /** Withdrawn before any finding, when the last nomination holding it was withdrawn: when, by whom, why. */
  withdrawn: z.object({ at: z.iso.datetime(), by: z.string(), why: z.string() }).optional(),
  /**
   * Optimistic versions, each moved in the transaction that changes what it counts: how many
   * finding versions the case has taken, and how many times its reviewers have changed. A change
   * decided on what was read is conditioned on the version read.
   */
  findingVersions: z.number().int().nonnegative().optional(),
  reviewersVersion: z.number().int().nonnegative().optional(),
  /** When the reviewers' verdicts were found to differ and the case went to the chair. */
  moderationSince: z.iso.datetime().optional(),
});
export type ReviewCase = z.infer<typeof ReviewCaseSchema>;
