/**
 * Nominations: an ISVA, a CPS prosecutor or a police officer asks the Rape Scrutiny Panel to look at
 * a decision. Every nomination of one decision merges into one review case that keeps every
 * nominator. A nominator sees their own nominations and where each stands, never anyone's findings.
 */
import { z } from 'zod';

export const NOMINATION_REASONS = [
  'victim_dissatisfied',
  'evidential_threshold_questioned',
  'public_interest_questioned',
  'lines_of_enquiry_missed',
  'victim_credibility_focus',
  'myths_and_stereotypes',
  'third_party_material',
  'safeguarding_concern',
  'communication_failure',
  'delay',
  'other',
] as const;

export const VICTIM_CONSENT = ['consents', 'does_not_consent', 'not_yet_asked'] as const;
export const VRR_STATUSES = [
  'not_requested',
  'requested',
  'upheld',
  'overturned',
  'out_of_time',
  'unknown',
] as const;

export const NominateRequestSchema = z
  .object({
    decisionId: z
      .string()
      .regex(/^dec_[0-9a-z]{26}$/, 'a decision id such as dec_…')
      .optional(),
    crimeReference: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .describe('The force crime reference, as recorded'),
    reasonCodes: z.array(z.enum(NOMINATION_REASONS)).min(1).max(NOMINATION_REASONS.length),
    freeText: z.string().max(4000).default('').describe('Stored and shown as plain text'),
    victimConsent: z.enum(VICTIM_CONSENT),
    victimWishes: z.string().max(2000).optional(),
    vrrStatus: z.enum(VRR_STATUSES),
  })
  .refine((request) => (request.decisionId === undefined) !== (request.crimeReference === undefined), {
    path: ['decisionId'],
    message: 'give either a decisionId or a crimeReference',
  });
export type NominateRequest = z.infer<typeof NominateRequestSchema>;

export const NOMINATION_STATUSES = ['received', 'on_agenda', 'in_review', 'concluded', 'withdrawn'] as const;

export const NominationSchema = z.object({
  nominationId: z.string(),
  caseId: z.string(),
  decisionId: z.string(),
  nominatedBy: z.string(),
  nominatorRole: z.enum(['isva', 'cps', 'police']),
  reasonCodes: z.array(z.enum(NOMINATION_REASONS)),
  freeText: z.string(),
  victimConsent: z.enum(VICTIM_CONSENT),
  victimWishes: z.string().optional(),
  vrrStatus: z.enum(VRR_STATUSES),
  nominatedAt: z.iso.datetime(),
});
export type Nomination = z.infer<typeof NominationSchema>;

export const NominationViewSchema = NominationSchema.extend({
  status: z.enum(NOMINATION_STATUSES),
  sittingId: z.string().optional().describe('The sitting whose agenda holds the case'),
});

/** How long after a decision the panel will still look at it. */
export const NOMINATION_WINDOW_MONTHS = 12;
