/**
 * A decision under scrutiny: one police or CPS NFA or filing decision on a crime, as imported. A
 * force export carries every field; a data.police.uk file carries only the crime type, month,
 * area and outcome category, so those decisions leave the rest unset. Identifiers of people and
 * crime references are pseudonymised at import (shared/imports/pseudonymise.ts); the summary is
 * redacted upstream.
 */
import { z } from 'zod';
import { classifyOutcome, type DecidingBody, type DecisionType } from './outcome-codes.ts';
import { classifyPoliceUkOutcome } from './police-uk-outcomes.ts';

export const OFFENCE_GROUPS = [
  'rape',
  'other_serious_sexual_offence',
  'stalking',
  'harassment',
  'malicious_communications',
  'other_domestic_abuse',
  // The coarse crime types data.police.uk publishes instead of offences:
  'violence_and_sexual_offences',
  'public_order',
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

export const DECISION_SOURCES = ['force-export', 'police-uk'] as const;

/** What an import row yields, once validated and pseudonymised. */
export const DecisionRecordSchema = z.object({
  source: z.enum(DECISION_SOURCES),
  crimeReference: z.string().min(1).max(64).describe('Pseudonymised crime reference'),
  offenceGroup: z.enum(OFFENCE_GROUPS),
  decidingBody: z.enum(['police', 'cps']),
  decisionDate: z.iso.date(),
  decisionDatePrecision: z.enum(['day', 'month']),
  outcomeCode: z
    .string()
    .optional()
    .describe('Home Office outcome code as recorded, local variants included'),
  outcomeCategory: z.string().optional().describe('data.police.uk outcome category as published'),
  outcomeMonth: z.string().optional().describe('Month of the latest police.uk outcome (YYYY-MM)'),
  daMarker: z.boolean().optional().describe('Domestic abuse marker'),
  unit: z.string().optional(),
  decisionMakerId: z.string().optional().describe('Pseudonymised decision-maker'),
  officerInCaseId: z.string().optional().describe('Pseudonymised officer in the case'),
  victimSupportsAction: z.boolean().optional(),
  suspectIdentified: z.boolean().optional(),
  custodyDisposal: z.enum(CUSTODY_DISPOSALS).optional(),
  protectiveMeasures: z.array(z.enum(PROTECTIVE_MEASURES)).optional(),
  thriveRecorded: z.boolean().optional(),
  victimsVoiceRecorded: z.boolean().optional(),
  summary: z.string().max(4000).optional().describe('Redacted summary of the decision'),
  policeForce: z.string().optional().describe('police.uk "Falls within"'),
  lsoaCode: z.string().optional().describe('Lower-layer super output area of the crime (police.uk)'),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

export const ProvenanceSchema = z.object({
  importId: z.string(),
  sourceLine: z.number().int().positive(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

export const DECISION_TYPES = ['police_nfa', 'cps_nfa', 'filed', 'other'] as const;

/** Values of a decision that a later import replaced (shared/decisions/decision-revisions.ts). */
export const DecisionRevisionSchema = z.object({
  revision: z.number().int().positive().describe('The revision these values were'),
  values: z
    .record(z.string(), z.unknown())
    .describe('The fields the import changed, with their earlier values (null: there was none)'),
  setBy: ProvenanceSchema.optional().describe('The import row that had set them, when not the first'),
  changedBy: ProvenanceSchema.describe('The import row that replaced them'),
  replacedAt: z.iso.datetime(),
});
export type DecisionRevision = z.infer<typeof DecisionRevisionSchema>;

export const DecisionSchema = DecisionRecordSchema.extend({
  decisionId: z.string(),
  decisionType: z.enum(DECISION_TYPES),
  /** A local outcome variant (1A, 16A…) or an unknown police.uk category: kept, flagged. */
  localOutcomeVariant: z.boolean(),
  provenance: ProvenanceSchema.describe('The import row that first wrote the decision'),
  importedAt: z.iso.datetime(),
  revision: z.number().int().positive().optional().describe('1 as first imported, one more per update'),
  changedBy: ProvenanceSchema.optional().describe('The import row that last changed its values'),
  history: z.array(DecisionRevisionSchema).optional().describe('Its earlier values, oldest first'),
});
export type Decision = z.infer<typeof DecisionSchema>;

export interface DecisionClassification {
  readonly decisionType: DecisionType;
  readonly decidingBody: DecidingBody;
  readonly localOutcomeVariant: boolean;
}

/** The decision type from the outcome as recorded: a Home Office code, or a police.uk category. */
export function classifyDecision(record: DecisionRecord): DecisionClassification {
  if (record.outcomeCode !== undefined) {
    const outcome = classifyOutcome(record.outcomeCode, record.decidingBody);
    return {
      decisionType: outcome.decisionType,
      decidingBody: record.decidingBody,
      localOutcomeVariant: outcome.localVariant,
    };
  }
  const category = classifyPoliceUkOutcome(record.outcomeCategory ?? '');
  return {
    decisionType: category.decisionType,
    decidingBody: category.decidingBody,
    localOutcomeVariant: category.unknownCategory,
  };
}

export function toDecision(
  record: DecisionRecord,
  decisionId: string,
  provenance: Provenance,
  importedAt: string,
): Decision {
  return { ...record, ...classifyDecision(record), decisionId, provenance, importedAt };
}
