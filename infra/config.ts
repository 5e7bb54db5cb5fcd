/**
 * Deployment settings, read from CDK context (cdk.json or `-c key=value`). Identity defaults to a
 * Cognito user pool; set `scrutineer:oidcIssuer` and `scrutineer:oidcAudience` to use any other
 * OIDC provider (e.g. the force's Entra ID) instead, and `scrutineer:rolesClaim` to the claim that
 * carries the role names.
 */
import type { Node } from 'constructs';
import { DEFAULT_ROLES_CLAIM } from '../shared/http/principal.ts';

export interface ExternalOidcProvider {
  readonly issuer: string;
  readonly audience: readonly string[];
}

export interface ScrutineerConfig {
  readonly stage: string;
  readonly uiOrigin: string;
  readonly oidc?: ExternalOidcProvider;
  readonly rolesClaim: string;
  readonly evidenceRetentionDays: number;
  /** Requests per second across the API, and the burst above it. */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
}

export function readConfig(node: Node): ScrutineerConfig {
  const text = (key: string): string | undefined => {
    const value = node.tryGetContext(`scrutineer:${key}`);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const issuer = text('oidcIssuer');
  const audience = text('oidcAudience');
  if ((issuer === undefined) !== (audience === undefined)) {
    throw new Error('Set both scrutineer:oidcIssuer and scrutineer:oidcAudience, or neither (Cognito)');
  }
  return {
    stage: text('stage') ?? 'dev',
    uiOrigin: text('uiOrigin') ?? 'https://scrutineer.example.police.uk',
    ...(issuer && audience ? { oidc: { issuer, audience: audience.split(',').map((a) => a.trim()) } } : {}),
    rolesClaim: text('rolesClaim') ?? DEFAULT_ROLES_CLAIM,
    evidenceRetentionDays: Number(text('evidenceRetentionDays') ?? 2555),
    apiThrottle: {
      rateLimit: Number(text('apiRateLimit') ?? 50),
      burstLimit: Number(text('apiBurstLimit') ?? 100),
    },
  };
}
