import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type Role } from '../../local/demo-users.ts';
import { type OidcIssuer, startOidcIssuer } from '../../local/oidc-issuer.ts';

const AUDIENCE = 'scrutineer-local-client';
const ALL_ROLES: readonly Role[] = [
  'auditor',
  'isva',
  'cps',
  'police',
  'panel_member',
  'panel_chair',
  'admin',
];

describe('demo users', () => {
  it('cover every role, with the pairs the access tests need', () => {
    const holding = (role: Role) => DEMO_USERS.filter((user) => user.roles.includes(role));
    for (const role of ALL_ROLES) expect(holding(role).length).toBeGreaterThan(0);
    expect(holding('isva').length).toBeGreaterThanOrEqual(2);
    expect(DEMO_USERS.filter((user) => user.roles.join() === 'panel_member').length).toBeGreaterThanOrEqual(
      2,
    );
    expect(
      DEMO_USERS.some((user) => user.roles.includes('panel_chair') && user.roles.includes('panel_member')),
    ).toBe(true);
  });

  it('have unique, stable identities on example domains', () => {
    expect(new Set(DEMO_USERS.map((user) => user.username)).size).toBe(DEMO_USERS.length);
    expect(new Set(DEMO_USERS.map((user) => user.sub)).size).toBe(DEMO_USERS.length);
    for (const user of DEMO_USERS) {
      expect(user.sub).toBe(`demo-${user.username}`);
      expect(user.email).toMatch(/@example\.(org|police\.uk)$/);
    }
  });
});

describe('local OIDC issuer', () => {
  let dataDir: string;
  let issuer: OidcIssuer;

  const postToken = (form: Record<string, string>) =>
    fetch(`${issuer.issuer}/token`, { method: 'POST', body: new URLSearchParams(form) });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'scrutineer-oidc-'));
    issuer = await startOidcIssuer({ dataDir, audience: AUDIENCE, users: DEMO_USERS });
  });

  afterAll(async () => {
    await issuer?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on the loopback interface only', () => {
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('publishes a discovery document and a public-only JWKS', async () => {
    const discovery = await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json();
    expect(discovery).toMatchObject({
      issuer: issuer.issuer,
      jwks_uri: issuer.jwksUri,
      token_endpoint: `${issuer.issuer}/token`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const { keys } = (await (await fetch(issuer.jwksUri)).json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(keys[0]).not.toHaveProperty(privateMember);
  });

  it('keeps its signing key readable by its owner only', async () => {
    const { mode } = await stat(path.join(dataDir, 'oidc-signing-key.json'));
    expect(mode & 0o777).toBe(0o600);
  });

  it('issues Cognito-shaped tokens for a demo user', async () => {
    const response = await postToken({ grant_type: 'password', username: 'chair' });
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });

    const { payload, protectedHeader } = await jwtVerify(
      String(tokens.id_token),
      createRemoteJWKSet(new URL(issuer.jwksUri)),
      {
        issuer: issuer.issuer,
        audience: AUDIENCE,
      },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: 'demo-chair',
      name: 'Charlie Chair',
      email: 'charlie.chair@example.org',
      'cognito:groups': ['panel_chair', 'panel_member'],
      token_use: 'id',
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    expect(payload.auth_time).toBe(payload.iat);

    const access = decodeJwt(String(tokens.access_token));
    expect(access).toMatchObject({ sub: 'demo-chair', client_id: AUDIENCE, token_use: 'access' });
    expect(access).not.toHaveProperty('aud');
  });

  it('refuses unknown users and other grant types', async () => {
    const unknown = await postToken({ grant_type: 'password', username: 'mallory' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ error: 'invalid_grant' });
    const otherGrant = await postToken({ grant_type: 'client_credentials' });
    expect(otherGrant.status).toBe(400);
    expect(await otherGrant.json()).toEqual({ error: 'unsupported_grant_type' });
    await expect(issuer.tokenFor('mallory')).rejects.toThrow(/mallory/);
  });

  describe('the authorization code flow with PKCE', () => {
    const REDIRECT = 'http://127.0.0.1:4505/auth/callback';
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorizeQuery = (overrides: Record<string, string> = {}) =>
      new URLSearchParams({
        response_type: 'code',
        client_id: AUDIENCE,
        redirect_uri: REDIRECT,
        scope: 'openid email profile',
        state: 'st-1',
        nonce: 'n-1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...overrides,
      });
    /** Picks the persona on the picker's form, as the browser would post it; the redirect. */
    const choose = async (username: string, query = authorizeQuery()) => {
      const form = new URLSearchParams(query);
      form.set('username', username);
      const chosen = await fetch(`${issuer.issuer}/authorize`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
      });
      expect(chosen.status).toBe(302);
      return new URL(String(chosen.headers.get('location')));
    };
    const exchange = (code: string, codeVerifier = verifier) =>
      postToken({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: AUDIENCE,
        code_verifier: codeVerifier,
      });

    it('shows a persona picker, then exchanges the code once, with its verifier, for tokens with the nonce', async () => {
      const picker = await fetch(`${issuer.issuer}/authorize?${authorizeQuery()}`);
      expect(picker.status).toBe(200);
      expect(picker.headers.get('cache-control')).toBe('no-store');
      const page = await picker.text();
      for (const user of DEMO_USERS) expect(page).toContain(`value="${user.username}"`);
      expect(page).toContain(`name="code_challenge" value="${challenge}"`);

      const back = await choose('panel');
      expect(back.origin + back.pathname).toBe(REDIRECT);
      expect(back.searchParams.get('state')).toBe('st-1');
      expect(back.searchParams.get('iss')).toBe(issuer.issuer);
      const code = String(back.searchParams.get('code'));
      const tokens = await exchange(code);
      expect(tokens.status).toBe(200);
      const { id_token: idToken } = (await tokens.json()) as { id_token: string };
      expect(decodeJwt(idToken)).toMatchObject({ sub: 'demo-panel', nonce: 'n-1', aud: AUDIENCE });
      // A code is good once.
      expect((await exchange(code)).status).toBe(400);
    });

    it('refuses a wrong verifier, a foreign redirect, a request without PKCE and an unknown persona', async () => {
      expect(
        (await exchange(String((await choose('panel')).searchParams.get('code')), 'x'.repeat(43))).status,
      ).toBe(400);
      const foreign = await fetch(
        `${issuer.issuer}/authorize?${authorizeQuery({ redirect_uri: 'https://evil.example/callback' })}`,
        { redirect: 'manual' },
      );
      expect(foreign.status).toBe(400);
      const noPkce = await fetch(
        `${issuer.issuer}/authorize?${authorizeQuery({ code_challenge_method: 'plain' })}`,
        {
          redirect: 'manual',
        },
      );
      expect(noPkce.status).toBe(302);
      expect(new URL(String(noPkce.headers.get('location'))).searchParams.get('error')).toBe(
        'invalid_request',
      );
      expect((await choose('mallory')).searchParams.get('error')).toBe('access_denied');
    });
  });

  it('lists the demo users without tokens', async () => {
    const listed = (await (await fetch(`${issuer.issuer}/demo-users`)).json()) as Record<string, unknown>[];
    expect(listed.map((user) => user.username)).toEqual(DEMO_USERS.map((user) => user.username));
    expect(listed.find((user) => user.username === 'chair')).toEqual({
      username: 'chair',
      name: 'Charlie Chair',
      roles: ['panel_chair', 'panel_member'],
    });
    expect(JSON.stringify(listed)).not.toMatch(/eyJ/);
  });

  it('lets tests override or remove claims', async () => {
    const claims = decodeJwt(
      await issuer.tokenFor('auditor', { aud: 'elsewhere', 'cognito:groups': undefined }),
    );
    expect(claims.aud).toBe('elsewhere');
    expect(claims).not.toHaveProperty('cognito:groups');
    expect(claims.sub).toBe('demo-auditor');
  });

  it('keeps its key across a restart on the same data directory', async () => {
    const tokenBeforeRestart = await issuer.tokenFor('isva');
    const jwksBeforeRestart = await (await fetch(issuer.jwksUri)).json();
    const port = Number(new URL(issuer.issuer).port);
    await issuer.close();
    issuer = await startOidcIssuer({ dataDir, port, audience: AUDIENCE, users: DEMO_USERS });

    expect(await (await fetch(issuer.jwksUri)).json()).toEqual(jwksBeforeRestart);
    const { payload } = await jwtVerify(tokenBeforeRestart, createRemoteJWKSet(new URL(issuer.jwksUri)), {
      issuer: issuer.issuer,
      audience: AUDIENCE,
    });
    expect(payload.sub).toBe('demo-isva');
  });
});
