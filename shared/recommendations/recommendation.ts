/**
 * Recommendations: the actions a concluded case asks of the force or the CPS, each with an owner
 * and a due date. Reviewers propose them in their findings; the chair decides: a proposal is
 * accepted (as proposed or reworded), merged into another, or dropped with a reason. Only accepted
 * ones, and those the chair makes in moderation, are tracked (open) until someone closes them with
 * evidence of what was done; the sweep marks those past their due date overdue and tells the chair.
 */
import { z } from 'zod';

export const RECOMMENDATION_STATUSES = [
  'proposed',
  'open',
  'overdue',
  'closed',
  'dropped',
  'merged',
] as const;

/** A recommendation in one of these is an action being tracked. */
export const TRACKED: readonly (typeof RECOMMENDATION_STATUSES)[number][] = ['open', 'overdue', 'closed'];

export const RecommendationSchema = z.object({
  recommendationId: z.string(),
  caseId: z.string(),
  sittingId: z.string(),
  /**
   * Where it came from: the findings (and versions) that proposed it, identical proposals grouped
   * as one, or the chair's moderation. `findingId` is the single finding of records made before
   * proposals were grouped.
   */
  source: z.object({
    findingIds: z.array(z.string()).optional(),
    findingId: z.string().optional(),
    moderation: z.boolean().optional(),
  }),
  text: z.string(),
  owner: z.string(),
  dueDate: z.iso.date(),
  status: z.enum(RECOMMENDATION_STATUSES),
  createdAt: z.iso.datetime(),
  overdueAt: z.iso.datetime().optional(),
  closedAt: z.iso.datetime().optional(),
  closedBy: z.string().optional(),
  closingEvidence: z.string().optional(),
  /** The chair's decision on a proposal. */
  decidedAt: z.iso.datetime().optional(),
  decidedBy: z.string().optional(),
  decisionReason: z.string().optional(),
  mergedInto: z.string().optional(),
});

const DecisionReasonSchema = z
  .string()
  .trim()
  .min(10, 'at least 10 characters: say why, for the record')
  .max(500);

/** The chair's decision on a proposed recommendation. */
export const RecommendationDecisionSchema = z.discriminatedUnion('decision', [
  z
    .object({
      decision: z.literal('accept'),
      text: z.string().trim().min(1).max(2000).optional().describe('Reworded, if the chair changes it'),
      owner: z.string().trim().min(1).max(200).optional(),
      dueDate: z.iso.date('a date such as 2027-06-30').optional(),
    })
    .strict(),
  z.object({ decision: z.literal('drop'), reason: DecisionReasonSchema }).strict(),
  z
    .object({
      decision: z.literal('merge'),
      into: z.string().regex(/^rec_[0-9a-z]{26}$/, 'a recommendation id such as rec_…'),
      reason: DecisionReasonSchema.optional(),
    })
    .strict(),
]);
export type RecommendationDecision = z.infer<typeof RecommendationDecisionSchema>;
export type Recommendation = z.infer<typeof RecommendationSchema>;
