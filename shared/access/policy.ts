/**
 * Who may see which record: the object-level half of the access policy (the route table holds the
 * role half). Every handler that returns or changes a record passes it through `visibleTo`, and a
 * record the caller may not see is answered exactly as a missing one, so ids cannot be probed.
 */

import type { Decision } from '../decisions/decision.ts';
import { NotFoundError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import type { ImportRecord } from '../imports/import-record.ts';
import type { Role } from '../roles.ts';

const holds = (principal: Principal, role: Role) => principal.roles.includes(role);

export const OBJECT_RULES = {
  /** Admins see every import; police see the imports they registered. */
  import: (principal: Principal, record: Pick<ImportRecord, 'createdBy'>) =>
    holds(principal, 'admin') || record.createdBy === principal.subject,
  /** Decisions are pseudonymised extracts: the audit team and admins read them. */
  decision: (principal: Principal, _decision: Pick<Decision, 'decisionId'>) =>
    holds(principal, 'admin') || holds(principal, 'auditor'),
  /** The audit trail is read by the audit team and admins, and each reading is itself audited. */
  auditTrail: (principal: Principal, _trail: { recordId: string }) =>
    holds(principal, 'admin') || holds(principal, 'auditor'),
} as const;

export type RecordKind = keyof typeof OBJECT_RULES;

/** Returns the record when the principal may see it; otherwise the same NotFoundError as a missing id. */
export function visibleTo<K extends RecordKind, T extends Parameters<(typeof OBJECT_RULES)[K]>[1]>(
  kind: K,
  principal: Principal,
  record: T,
  notFoundMessage: string,
): T {
  const rule = OBJECT_RULES[kind] as (principal: Principal, record: T) => boolean;
  if (!rule(principal, record)) throw new NotFoundError(notFoundMessage);
  return record;
}

/** Keeps the records the principal may see, for list routes. */
export function onlyVisible<K extends RecordKind, T extends Parameters<(typeof OBJECT_RULES)[K]>[1]>(
  kind: K,
  principal: Principal,
  records: readonly T[],
): T[] {
  const rule = OBJECT_RULES[kind] as (principal: Principal, record: T) => boolean;
  return records.filter((record) => rule(principal, record));
}
