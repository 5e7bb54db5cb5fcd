/**
 * A minimal OpenID Connect issuer standing in for the Cognito user pool when everything runs on one
 * machine. It publishes discovery and JWKS documents the way Cognito does, so the local HTTP API
 * verifies tokens exactly as the deployed JWT authorizer would, and it signs Cognito-shaped tokens
 * for the synthetic demo users.
 *
 * Two ways to sign in, both LOCAL USE ONLY:
 * - the authorization code flow with PKCE (S256), as the web application signs in against Cognito's
 *   hosted UI: `GET /authorize` shows a persona picker instead of a password page, choosing one
 *   redirects to the client's loopback `redirect_uri` with a single-use code (60 s), and
 *   `POST /token` exchanges it, with the code verifier, for tokens carrying the request's nonce;
 * - `POST /token` with `grant_type=password`, for the CLI and tests: a token for anyone who names a
 *   demo user, with no password.
 * That is the point of a local sign-in, and the reason it binds to the loopback interface only and
 * redirects only to loopback addresses.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import type { DemoUser } from './demo-users.ts';

const SIGNING_ALGORITHM = 'RS256';
const TOKEN_LIFETIME_SECONDS = 3600;
const SIGNING_KEY_FILE = 'oidc-signing-key.json';
const MAX_FORM_BYTES = 64 * 1024;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const CODE_LIFETIME_MS = 60_000;
/** The authorization request's parameters, carried through the persona picker's form. */
const AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
] as const;

interface IssuedCode {
  readonly username: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly nonce?: string;
  readonly expiresAt: number;
}

/** A redirect URI the issuer sends codes to: http on the loopback interface (RFC 8252 §7.3). */
function isLoopbackRedirect(value: string | null): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return (
      url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && !url.hash
    );
  } catch {
    return false;
  }
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export interface OidcIssuerOptions {
  /** Where the signing key is kept, so tokens and the JWKS survive a restart. */
  readonly dataDir: string;
  /** 0 (the default) picks a free port. Tokens name the issuer URL, so reuse the port across restarts. */
  readonly port?: number;
  readonly host?: '127.0.0.1';
  /** The `aud` of ID tokens and `client_id` of access tokens, as a Cognito app client id would be. */
  readonly audience: string;
  readonly users: readonly DemoUser[];
}

export interface OidcIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  /**
   * A signed Cognito-style ID token for a demo user. `overrides` replace claims (an `undefined`
   * value removes one), which is how tests forge expired, foreign-audience or role-less tokens.
   */
  tokenFor(username: string, overrides?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly kid: string;
}

export class UnknownDemoUserError extends Error {
  override readonly name = 'UnknownDemoUserError';
}

export async function startOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const host = options.host ?? '127.0.0.1';
  const signingKey = await loadOrCreateSigningKey(options.dataDir);
  const usersByName = new Map(options.users.map((user) => [user.username, user]));
  let issuer = '';

  const sign = (claims: Record<string, unknown>, overrides: Record<string, unknown> = {}) => {
    const payload: Record<string, unknown> = { ...claims };
    for (const [claim, value] of Object.entries(overrides)) {
      if (value === undefined) delete payload[claim];
      else payload[claim] = value;
    }
    return new SignJWT(payload)
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: signingKey.kid, typ: 'JWT' })
      .sign(signingKey.privateKey);
  };

  const userNamed = (username: string): DemoUser => {
    const user = usersByName.get(username);
    if (!user) throw new UnknownDemoUserError(`No demo user named "${username}"`);
    return user;
  };

  const commonClaims = (user: DemoUser) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      sub: user.sub,
      iss: issuer,
      'cognito:groups': [...user.roles],
      auth_time: now,
      iat: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      jti: randomUUID(),
    };
  };

  const idTokenFor = async (username: string, overrides?: Record<string, unknown>) => {
    const user = userNamed(username);
    return sign(
      {
        ...commonClaims(user),
        aud: options.audience,
        token_use: 'id',
        'cognito:username': user.username,
        email: user.email,
        email_verified: true,
        name: user.name,
      },
      overrides,
    );
  };

  // Cognito access tokens carry no `aud`: API Gateway then matches `client_id` against the audience.
  const accessTokenFor = async (username: string) => {
    const user = userNamed(username);
    return sign({
      ...commonClaims(user),
      client_id: options.audience,
      token_use: 'access',
      scope: 'openid email profile',
      username: user.username,
    });
  };

  const codes = new Map<string, IssuedCode>();

  /** The user a code was issued for, once: the verifier must match its challenge (S256). */
  const redeem = (form: URLSearchParams): IssuedCode | undefined => {
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    codes.delete(code);
    if (!issued || issued.expiresAt < Date.now()) return undefined;
    if (form.get('client_id') !== options.audience || form.get('redirect_uri') !== issued.redirectUri)
      return undefined;
    const challenge = createHash('sha256')
      .update(form.get('code_verifier') ?? '')
      .digest('base64url');
    return challenge === issued.codeChallenge ? issued : undefined;
  };

  const issueTokens = async (request: IncomingMessage, response: ServerResponse) => {
    const form = new URLSearchParams(await readBody(request, MAX_FORM_BYTES));
    const grant = form.get('grant_type');
    if (grant !== 'password' && grant !== 'authorization_code') {
      return sendJson(response, 400, { error: 'unsupported_grant_type' });
    }
    const redeemed = grant === 'authorization_code' ? redeem(form) : undefined;
    const username = redeemed?.username ?? (grant === 'password' ? (form.get('username') ?? '') : '');
    if (!usersByName.has(username)) return sendJson(response, 400, { error: 'invalid_grant' });
    const [idToken, accessToken] = await Promise.all([
      idTokenFor(username, redeemed?.nonce ? { nonce: redeemed.nonce } : {}),
      accessTokenFor(username),
    ]);
    response.setHeader('cache-control', 'no-store');
    sendJson(response, 200, {
      access_token: accessToken,
      id_token: idToken,
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS,
    });
  };

  /** Why an authorization request is refused outright (shown, never redirected), if it is. */
  const refusedClient = (query: URLSearchParams) => {
    if (query.get('client_id') !== options.audience) return 'unknown client_id';
    if (!isLoopbackRedirect(query.get('redirect_uri')))
      return 'redirect_uri must be an http loopback address';
    return undefined;
  };

  /** Why the client's request is refused, sent back to its redirect_uri, if it is. */
  const invalidRequest = (query: URLSearchParams) => {
    if (query.get('response_type') !== 'code') return 'response_type must be code';
    if (!(query.get('scope') ?? '').split(' ').includes('openid')) return 'scope must include openid';
    if (
      query.get('code_challenge_method') !== 'S256' ||
      !/^[\w-]{43,128}$/.test(query.get('code_challenge') ?? '')
    )
      return 'PKCE with code_challenge_method S256 is required';
    return undefined;
  };

  const sendBackToClient = (
    response: ServerResponse,
    query: URLSearchParams,
    params: Record<string, string>,
  ) => {
    const target = new URL(query.get('redirect_uri') ?? '');
    for (const [name, value] of Object.entries({ ...params, iss: issuer }))
      target.searchParams.set(name, value);
    const state = query.get('state');
    if (state) target.searchParams.set('state', state);
    response.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' });
    response.end();
  };

  const authorize = async (request: IncomingMessage, response: ServerResponse) => {
    const query =
      request.method === 'POST'
        ? new URLSearchParams(await readBody(request, MAX_FORM_BYTES))
        : new URL(request.url ?? '/', 'http://localhost').searchParams;
    const refused = refusedClient(query);
    if (refused) return sendPage(response, 400, 'Sign-in refused', `<p>${escapeHtml(refused)}.</p>`);
    const invalid = invalidRequest(query);
    if (invalid)
      return sendBackToClient(response, query, { error: 'invalid_request', error_description: invalid });
    if (request.method === 'GET')
      return sendPage(response, 200, 'Sign in to Scrutineer (local)', personaPicker(query));
    const username = query.get('username') ?? '';
    if (!usersByName.has(username)) return sendBackToClient(response, query, { error: 'access_denied' });
    const code = randomBytes(32).toString('base64url');
    const nonce = query.get('nonce');
    codes.set(code, {
      username,
      redirectUri: String(query.get('redirect_uri')),
      codeChallenge: String(query.get('code_challenge')),
      ...(nonce ? { nonce } : {}),
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    return sendBackToClient(response, query, { code });
  };

  const personaPicker = (query: URLSearchParams) => {
    const hidden = AUTHORIZE_PARAMS.flatMap((name) => {
      const value = query.get(name);
      return value === null ? [] : [`<input type="hidden" name="${name}" value="${escapeHtml(value)}">`];
    }).join('');
    const personas = options.users
      .map(
        (user) =>
          `<li><button type="submit" name="username" value="${escapeHtml(user.username)}">${escapeHtml(user.name)}</button> <span>${escapeHtml(user.username)}: ${escapeHtml(user.roles.join(', '))}</span></li>`,
      )
      .join('');
    return `<p>Local sign-in: choose a demo persona. No password; this page exists on this machine only.</p><form method="post" action="/authorize">${hidden}<ul>${personas}</ul></form>`;
  };

  /** Sign-out at the provider: back to the client's loopback address, if it gave one. */
  const endSession = (request: IncomingMessage, response: ServerResponse) => {
    const back = new URL(request.url ?? '/', 'http://localhost').searchParams.get('post_logout_redirect_uri');
    if (!isLoopbackRedirect(back))
      return sendPage(response, 200, 'Signed out', '<p>You have signed out.</p>');
    response.writeHead(302, { location: back, 'cache-control': 'no-store' });
    response.end();
  };

  const discoveryDocument = () => ({
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    end_session_endpoint: `${issuer}/logout`,
    grant_types_supported: ['authorization_code', 'password'],
    response_types_supported: ['code', 'token'],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
    token_endpoint_auth_methods_supported: ['none'],
    claims_supported: ['sub', 'iss', 'aud', 'email', 'name', 'cognito:groups', 'cognito:username'],
  });

  const server = createServer((request, response) => {
    const route = `${request.method} ${new URL(request.url ?? '/', 'http://localhost').pathname}`;
    const handled = (async () => {
      switch (route) {
        case 'GET /.well-known/openid-configuration':
          return sendJson(response, 200, discoveryDocument());
        case 'GET /.well-known/jwks.json':
          return sendJson(response, 200, { keys: [signingKey.publicJwk] });
        case 'GET /demo-users':
          return sendJson(
            response,
            200,
            options.users.map(({ username, name, roles }) => ({ username, name, roles })),
          );
        case 'POST /token':
          return issueTokens(request, response);
        case 'GET /authorize':
        case 'POST /authorize':
          return authorize(request, response);
        case 'GET /logout':
          return endSession(request, response);
        default:
          return sendJson(response, 404, { error: 'not_found' });
      }
    })();
    handled.catch((error: unknown) => {
      if (error instanceof RequestTooLargeError) return sendJson(response, 413, { error: 'invalid_request' });
      console.error('[oidc-issuer] request failed:', error);
      if (!response.headersSent) sendJson(response, 500, { error: 'server_error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  issuer = `http://${host}:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    tokenFor: idTokenFor,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const keyFile = path.join(dataDir, SIGNING_KEY_FILE);
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const exported = await exportJWK(privateKey);
    privateJwk = {
      ...exported,
      alg: SIGNING_ALGORITHM,
      use: 'sig',
      kid: await calculateJwkThumbprint(exported),
    };
    await mkdir(dataDir, { recursive: true });
    // The private key is a credential for every local user: readable by its owner only.
    await writeFile(keyFile, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  }
  const kid = privateJwk.kid;
  if (!kid) throw new Error(`${keyFile} holds a key without a "kid"`);
  const publicJwk: JWK = { ...privateJwk };
  for (const member of PRIVATE_JWK_MEMBERS) delete publicJwk[member];
  const privateKey = (await importJWK(privateJwk, SIGNING_ALGORITHM)) as CryptoKey;
  return { privateKey, publicJwk, kid };
}

class RequestTooLargeError extends Error {}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RequestTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendPage(response: ServerResponse, status: number, title: string, body: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  });
  response.end(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
  );
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
