/**
 * The Rape Scrutiny Panel's people and meetings: reviewers (panel members with their agency,
 * unit, capacity and standing conflicts), panels, and the sittings a panel meets in.
 */
import { z } from 'zod';

export const AGENCIES = [
  'police',
  'cps',
  'isva',
  'independent',
  'academic',
  'health',
  'local_authority',
] as const;

export const ReviewerSchema = z.object({
  reviewerId: z.string(),
  /** The identity provider's subject of the person, when they sign in to Scrutineer. */
  subject: z.string().optional(),
  name: z.string().min(1).max(120),
  agency: z.enum(AGENCIES),
  unit: z.string().max(64).optional(),
  /** For police and CPS staff: their pseudonymous person id, so they never review their own decisions. */
  personId: z.string().optional(),
  capacityPerSitting: z.number().int().min(0).max(50),
  /** Pseudonymous decision-maker or officer ids, or units, this reviewer must never review. */
  standingConflicts: z.array(z.string().max(64)).max(200),
  active: z.boolean(),
});
export type Reviewer = z.infer<typeof ReviewerSchema>;

/**
 * A panel, or an audit team: `panel` is a Rape Scrutiny Panel, chaired by a panel chair; `audit` is
 * the auditors reviewing one dip sample, led by the auditor who opened the review round
 * (shared/panels/audit-rounds.ts). Both review, conclude and close the same way.
 */
export const PANEL_KINDS = ['panel', 'audit'] as const;

export const PanelSchema = z.object({
  panelId: z.string(),
  kind: z.enum(PANEL_KINDS).default('panel'),
  name: z.string().min(1).max(120),
  /** The panel's chair, or the audit team's lead. */
  chairSubject: z.string(),
  memberReviewerIds: z.array(z.string()),
});
export type Panel = z.infer<typeof PanelSchema>;

/**
 * A sitting's lifecycle: PLANNED until the day it meets, IN_SESSION from that day (the status is
 * read so, never written), CLOSED by the closure alone, or CANCELLED by its chair before it meets
 * and before any finding; neither is ever reopened.
 */
export const SITTING_STATUSES = ['PLANNED', 'IN_SESSION', 'CLOSED', 'CANCELLED'] as const;
export type SittingStatus = (typeof SITTING_STATUSES)[number];

/** A sitting in one of these is over: it never changes again. */
export const SITTING_OVER: readonly SittingStatus[] = ['CLOSED', 'CANCELLED'];

export const SittingSchema = z.object({
  sittingId: z.string(),
  panelId: z.string(),
  date: z.iso.date(),
  findingsDeadline: z.iso.date(),
  status: z.enum(SITTING_STATUSES),
  agenda: z.array(z.string()),
  /** How many cases the sitting can take; what does not fit waits for the next sitting. */
  maxCases: z.number().int().positive().default(12),
  reviewersPerCase: z.number().int().min(1).max(5).default(2),
  auditOf: z
    .string()
    .optional()
    .describe("An audit review round's sample: its cases are the agenda, reviewed by auditors"),
  cancelled: z
    .object({ at: z.iso.datetime(), by: z.string(), reason: z.string() })
    .optional()
    .describe('When, by whom and why the sitting was cancelled'),
});
export type Sitting = z.infer<typeof SittingSchema>;

/** The sitting with the status its lifecycle gives it today (YYYY-MM-DD). */
export function withLifecycle(sitting: Sitting, today: string): Sitting {
  if (SITTING_OVER.includes(sitting.status)) return sitting;
  return { ...sitting, status: sitting.date <= today ? 'IN_SESSION' : 'PLANNED' };
}

/** What a chair or an admin sends to plan or change a sitting: its status is the lifecycle's. */
export const SittingPlanSchema = SittingSchema.omit({
  sittingId: true,
  agenda: true,
  status: true,
  cancelled: true,
  auditOf: true,
})
  .strict()
  .refine((plan) => plan.findingsDeadline <= plan.date, {
    path: ['findingsDeadline'],
    message: "must not be after the sitting's date: findings come in before the panel meets",
  });
export type SittingPlan = z.infer<typeof SittingPlanSchema>;
