/**
 * Pseudonymisation at import: crime references and the ids of decision-makers and officers are
 * replaced by a keyed hash (HMAC-SHA256), so the same person or crime maps to the same pseudonym
 * across imports while the mapping cannot be reversed, or rebuilt by guessing, without the key.
 * The key is a secret in AWS Secrets Manager (locally, the stand-in's generated key file).
 */
import { createHmac } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { DecisionRecord } from '../decisions/decision.ts';
import { ConfigurationError, ENV, requireEnv } from '../environment.ts';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

export function pseudonym(key: string, kind: 'crime' | 'person', value: string): string {
  const digest = createHmac('sha256', key).update(`${kind}:${value.trim().toUpperCase()}`).digest();
  let text = '';
  for (let i = 0; i < 20; i++) text += CROCKFORD[(digest[i] ?? 0) % 32];
  return `${kind === 'crime' ? 'crm' : 'psn'}_${text}`;
}

export function pseudonymiseRecord(record: DecisionRecord, key: string): DecisionRecord {
  return {
    ...record,
    crimeReference: pseudonym(key, 'crime', record.crimeReference),
    ...(record.decisionMakerId ? { decisionMakerId: pseudonym(key, 'person', record.decisionMakerId) } : {}),
    ...(record.officerInCaseId ? { officerInCaseId: pseudonym(key, 'person', record.officerInCaseId) } : {}),
  };
}

/** The pseudonymisation key, cached for five minutes per process. */
export async function pseudonymKey(): Promise<string> {
  const key = await getSecret<string>(requireEnv(ENV.pseudonymKeySecret), { maxAge: 300 });
  if (typeof key !== 'string' || key.length < 32) {
    throw new ConfigurationError('The pseudonymisation key is missing or shorter than 32 characters');
  }
  return key;
}
