/**
 * Audit events: the log the Data Protection Act 2018 s.62 requires for law-enforcement processing.
 * Every collection, alteration, consultation, disclosure, combination and erasure of case data is
 * one event: who (subject and roles), what (action, record), when, and which request. Events are
 * appended and never changed: the application's roles can only PutItem on the audit table, and
 * every put is conditional on the event not existing.
 */
import { z } from 'zod';

export const AUDIT_ACTIONS = ['collect', 'alter', 'consult', 'disclose', 'combine', 'erase'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_RECORD_TYPES = [
  'import',
  'decision',
  'sample',
  'case',
  'nomination',
  'sitting',
  'assignment',
  'reviewer',
  'panel',
  'audit-trail',
  'question-set',
  'finding',
  'recommendation',
  'evidence-pack',
  'report',
] as const;
export type AuditRecordType = (typeof AUDIT_RECORD_TYPES)[number];

export const AuditEventSchema = z.object({
  eventId: z.string(),
  at: z.iso.datetime(),
  actor: z.string().describe('Subject of the person, or system:<workflow> for automated steps'),
  actorRoles: z.array(z.string()),
  action: z.enum(AUDIT_ACTIONS),
  recordType: z.enum(AUDIT_RECORD_TYPES),
  recordId: z.string(),
  requestId: z.string().describe('API request id or workflow execution id'),
  via: z.string().describe('The route or workflow step that acted'),
  detail: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe('Counts and flags only, never case content'),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** What a handler reports about the records it touched; the rest of the event is filled in for it. */
export interface RecordAccess {
  readonly action: AuditAction;
  readonly recordType: AuditRecordType;
  readonly recordId: string;
  readonly detail?: AuditEvent['detail'];
}

/** Audit table keys: by record (pk/sk) and by actor (index byActor). */
export const AUDIT_TABLE_INDEXES = { byActor: 'byActor' } as const;

/** The partition of every event about one record. */
export const recordPartition = (recordType: string, recordId: string) => `RECORD#${recordType}#${recordId}`;

/** The index partition of every event by one person. */
export const actorPartition = (subject: string) => `ACTOR#${subject}`;

export const auditKeys = (event: AuditEvent) => ({
  pk: recordPartition(event.recordType, event.recordId),
  sk: `${event.at}#${event.eventId}`,
  actorKey: actorPartition(event.actor),
  actorSort: `${event.at}#${event.eventId}`,
});
