import { describe, expect, it } from 'vitest';
import { parseClaimList, principalFromClaims } from '../../shared/http/principal.ts';

describe('principalFromClaims', () => {
  it('reads roles as API Gateway renders an array claim', () => {
    expect(principalFromClaims({ sub: 'u1', 'cognito:groups': '[panel_chair panel_member]' })?.roles).toEqual(
      ['panel_chair', 'panel_member'],
    );
  });

  it('accepts JSON arrays and single values from other providers, from a configured claim', () => {
    expect(parseClaimList('["auditor","admin"]')).toEqual(['auditor', 'admin']);
    expect(principalFromClaims({ sub: 'u1', roles: 'auditor' }, 'roles')?.roles).toEqual(['auditor']);
  });

  it('drops names that are not roles, and has no principal without a subject', () => {
    expect(principalFromClaims({ sub: 'u1', 'cognito:groups': '[superuser admin]' })?.roles).toEqual([
      'admin',
    ]);
    expect(principalFromClaims({ 'cognito:groups': '[admin]' })).toBeUndefined();
  });
});
