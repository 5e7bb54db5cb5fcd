/**
 * Recommendations: the actions a concluded case asks of the force or the CPS, each with an owner
 * and a due date, tracked until someone closes it with evidence of what was done. The sweep marks
 * those past their due date overdue and tells the chair.
 */
import { z } from 'zod';

export const RECOMMENDATION_STATUSES = ['open', 'overdue', 'closed'] as const;

export const RecommendationSchema = z.object({
  recommendationId: z.string(),
  caseId: z.string(),
  sittingId: z.string(),
  /** The finding (and version) it came from, or the chair's moderation. */
  source: z.object({ findingId: z.string().optional(), moderation: z.boolean().optional() }),
  text: z.string(),
  owner: z.string(),
  dueDate: z.iso.date(),
  status: z.enum(RECOMMENDATION_STATUSES),
  createdAt: z.iso.datetime(),
  overdueAt: z.iso.datetime().optional(),
  closedAt: z.iso.datetime().optional(),
  closedBy: z.string().optional(),
  closingEvidence: z.string().optional(),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;
