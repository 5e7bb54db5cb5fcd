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
  /** Each change of what the nominator says is a new version; the first is 1 (recorded before versions, absent). */
  version: z.number().int().positive().optional(),
  changedAt: z.iso.datetime().optional().describe('When this version was made'),
  withdrawn: z
    .object({ at: z.iso.datetime(), reason: z.string() })
    .optional()
    .describe('Withdrawn by the nominator: when and why'),
});
export type Nomination = z.infer<typeof NominationSchema>;

export const NominationIdParamsSchema = z.object({
  nominationId: z.string().regex(/^nom_[0-9a-z]{26}$/, 'a nomination id such as nom_…'),
});

/** What a nominator says in a nomination, and may change in a later version. */
export const NOMINATION_CONTENT = [
  'reasonCodes',
  'freeText',
  'victimConsent',
  'victimWishes',
  'vrrStatus',
] as const;

/** A change of a nomination: the fields given replace those of the latest version. */
export const UpdateNominationRequestSchema = z
  .object({
    reasonCodes: z.array(z.enum(NOMINATION_REASONS)).min(1).max(NOMINATION_REASONS.length).optional(),
    freeText: z.string().max(4000).optional().describe('Stored and shown as plain text'),
    victimConsent: z.enum(VICTIM_CONSENT).optional(),
    victimWishes: z.string().max(2000).optional().describe('An empty text clears them'),
    vrrStatus: z.enum(VRR_STATUSES).optional(),
  })
  .refine((request) => NOMINATION_CONTENT.some((field) => request[field] !== undefined), {
    path: ['victimConsent'],
    message: `give at least one of ${NOMINATION_CONTENT.join(', ')}`,
  });
export type UpdateNominationRequest = z.infer<typeof UpdateNominationRequestSchema>;

export const WithdrawNominationRequestSchema = z.object({
  reason: z.string().trim().min(10, 'at least 10 characters: say why, for the record').max(2000),
});

/** One version of a nomination as it was stated, oldest first in a nomination's history. */
export const NominationVersionSchema = NominationSchema.pick({
  reasonCodes: true,
  freeText: true,
  victimConsent: true,
  victimWishes: true,
  vrrStatus: true,
}).extend({ version: z.number().int().positive(), madeAt: z.iso.datetime() });
export type NominationVersion = z.infer<typeof NominationVersionSchema>;

/**
 * What the panel concluded, as it publishes it: the verdict, and the recommendations the chair
 * accepted for the force or the CPS to act on. Never a reviewer's finding.
 */
export const NominationOutcomeSchema = z.object({
  verdict: z.string().optional(),
  concludedAt: z.iso.datetime().optional(),
  recommendations: z.array(
    z.object({ text: z.string(), owner: z.string(), dueDate: z.iso.date(), status: z.string() }),
  ),
});

export const NominationViewSchema = NominationSchema.extend({
  status: z.enum(NOMINATION_STATUSES),
  sittingId: z.string().optional().describe('The sitting whose agenda holds the case'),
  outcome: NominationOutcomeSchema.optional().describe('Once the panel has concluded'),
  versions: z
    .array(NominationVersionSchema)
    .optional()
    .describe('Every version of the nomination, oldest first (one nomination read alone)'),
});
export type NominationView = z.infer<typeof NominationViewSchema>;

/**
 * An NFA or filing decision on a crime, described safely for a nominator to choose among several:
 * who decided, in which month, with which outcome; never the summary nor anyone's identifiers.
 */
export const NominationCandidateSchema = z.object({
  decisionId: z.string(),
  decidingBody: z.enum(['police', 'cps']),
  decisionMonth: z.string().describe('YYYY-MM'),
  decisionType: z.string(),
  outcome: z.string().describe('The outcome code (or police.uk category) as recorded'),
  eligible: z.boolean().describe('Inside the panel window and not already concluded'),
  reason: z.string().optional().describe('Why it cannot be nominated, when it cannot'),
});

/** How long after a decision the panel will still look at it. */
export const NOMINATION_WINDOW_MONTHS = 12;
