/** The chair's moderation of a case whose reviewers disagree: the decision, its reason, and what it decided between. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { keys } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { mainTable } from '../environment.ts';
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

export async function getModeration(caseId: string, sittingId: string): Promise<Moderation | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: keys.moderation(caseId, sittingId) }),
  );
  return Item ? ModerationSchema.parse(Item) : undefined;
}

/** Every moderation of the case, one per sitting it was moderated in, oldest first. */
export async function moderationsOf(caseId: string): Promise<Moderation[]> {
  const items = await queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :moderation)',
    ExpressionAttributeValues: { ':pk': keys.reviewCase(caseId).pk, ':moderation': 'MODERATION#' },
  });
  return items
    .map((item) => ModerationSchema.parse(item))
    .sort((a, b) => a.moderatedAt.localeCompare(b.moderatedAt));
}
