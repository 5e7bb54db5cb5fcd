/**
 * A decision under scrutiny: one police or CPS NFA or filing decision on a crime, as imported
 * from a force export. Identifiers of people are pseudonymous; the summary is redacted upstream.
 */
import { z } from 'zod';
import { classifyOutcome } from './outcome-codes.ts';

export const OFFENCE_GROUPS = [
  'rape',
  'other_serious_sexual_offence',
  'stalking',
  'harassment',
  'malicious_communications',
  'other_domestic_abuse',
] as const;

export const CUSTODY_DISPOSALS = [
  'charged',
  'bailed_with_conditions',
  'bailed_without_conditions',
  'released_under_investigation',
  'out_of_court_disposal',
  'no_further_action',
  'not_arrested',
] as const;

export const PROTECTIVE_MEASURES = [
  'dvpn',
  'dvpo',
  'spo',
  'dapo',
  'sro',
  'non_molestation_order',
  'none',
] as const;

const yesNo = z.boolean();

/** The decision fields a force export carries, validated per row at import. */
export const DecisionRecordSchema = z.object({
  crimeReference: z.string().trim().min(1).max(64).describe('Crime reference as recorded by the force'),
  offenceGroup: z.enum(OFFENCE_GROUPS),
  daMarker: yesNo.describe('Domestic abuse marker'),
  outcomeCode: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z]{1,4}$/, 'an outcome code such as 14, 16 or 3A')
    .describe('Home Office outcome code as recorded, including local variants'),
  decidingBody: z.enum(['police', 'cps']),
  decisionDate: z.iso.date(),
  unit: z.string().trim().min(1).max(64).describe('Deciding unit, e.g. PPU North, FCID'),
  decisionMakerId: z.string().trim().min(1).max(64).describe('Pseudonymous id of the decision-maker'),
  officerInCaseId: z.string().trim().min(1).max(64).describe('Pseudonymous id of the officer in the case'),
  victimSupportsAction: yesNo,
  suspectIdentified: yesNo,
  custodyDisposal: z.enum(CUSTODY_DISPOSALS),
  protectiveMeasures: z.array(z.enum(PROTECTIVE_MEASURES)).default([]),
  thriveRecorded: yesNo.describe('THRIVE assessment recorded'),
  victimsVoiceRecorded: yesNo,
  summary: z.string().max(4000).describe('Redacted summary of the decision'),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

export const ProvenanceSchema = z.object({
  importId: z.string(),
  sourceLine: z.number().int().positive(),
});

export const DecisionSchema = DecisionRecordSchema.extend({
  decisionId: z.string(),
  decisionType: z.enum(['police_nfa', 'cps_nfa', 'filed', 'other']),
  localOutcomeVariant: z.boolean(),
  provenance: ProvenanceSchema,
  importedAt: z.iso.datetime(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export function toDecision(
  record: DecisionRecord,
  decisionId: string,
  provenance: z.infer<typeof ProvenanceSchema>,
  importedAt: string,
): Decision {
  const outcome = classifyOutcome(record.outcomeCode, record.decidingBody);
  return {
    ...record,
    decisionId,
    decisionType: outcome.decisionType,
    localOutcomeVariant: outcome.localVariant,
    provenance,
    importedAt,
  };
}
