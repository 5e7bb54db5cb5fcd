/** The chair's moderation of a case whose reviewers disagree: the decision, its reason, and what it decided between. */
import { z } from 'zod';
import { RecommendationRequestSchema } from './finding.ts';
import { VERDICTS } from './question-set.ts';

export const ModerationRequestSchema = z.object({
  verdict: z.enum(VERDICTS),
  reason: z.string().trim().min(1, "record the reason for the panel's decision").max(4000),
  recommendations: z.array(RecommendationRequestSchema).max(10).default([]),
});
export type ModerationRequest = z.infer<typeof ModerationRequestSchema>;

export const ModerationSchema = ModerationRequestSchema.extend({
  caseId: z.string(),
  sittingId: z.string(),
  /** The verdicts the chair moderated between, by reviewer. */
  reviewerVerdicts: z.record(z.string(), z.string()),
  moderatedBy: z.string(),
  moderatedAt: z.iso.datetime(),
  contentHash: z.string(),
});
export type Moderation = z.infer<typeof ModerationSchema>;
