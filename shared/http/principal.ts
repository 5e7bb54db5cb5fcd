/**
 * Who is calling, from the claims the JWT authorizer verified. API Gateway passes every claim as a
 * string, so a groups array arrives as "[auditor admin]"; a JSON-array string or a single value is
 * accepted too, so any OIDC provider's claim shape works.
 */
import { isRole, type Role } from '../roles.ts';

export interface Principal {
  /** The identity provider's stable subject id. */
  readonly subject: string;
  readonly name?: string;
  readonly roles: readonly Role[];
}

export const DEFAULT_ROLES_CLAIM = 'cognito:groups';

type Claims = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export function parseClaimList(value: Claims[string] | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // API Gateway's own rendering of arrays: "[a b c]"
    }
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .filter(Boolean);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

export function principalFromClaims(claims: Claims, rolesClaim = DEFAULT_ROLES_CLAIM): Principal | undefined {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') return undefined;
  const roles = [...new Set(parseClaimList(claims[rolesClaim]).filter(isRole))];
  const name = typeof claims.name === 'string' ? claims.name : undefined;
  return { subject, roles, ...(name ? { name } : {}) };
}
