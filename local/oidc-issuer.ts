/**
 * A minimal OpenID Connect issuer standing in for the Cognito user pool when everything runs on one
 * machine. It publishes discovery and JWKS documents the way Cognito does, so the local HTTP API
 * verifies tokens exactly as the deployed JWT authorizer would, and it signs Cognito-shaped tokens
 * for the synthetic demo users.
 *
 * LOCAL USE ONLY: `POST /token` hands a token to anyone who names a demo user, with no password.
 * That is the point of a local sign-in, and the reason it binds to the loopback interface only.
 */
import { randomUUID } from 'node:crypto';
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

  const issueTokens = async (request: IncomingMessage, response: ServerResponse) => {
    const form = new URLSearchParams(await readBody(request, MAX_FORM_BYTES));
    if (form.get('grant_type') !== 'password') {
      return sendJson(response, 400, { error: 'unsupported_grant_type' });
    }
    const username = form.get('username') ?? '';
    if (!usersByName.has(username)) return sendJson(response, 400, { error: 'invalid_grant' });
    const [idToken, accessToken] = await Promise.all([idTokenFor(username), accessTokenFor(username)]);
    response.setHeader('cache-control', 'no-store');
    sendJson(response, 200, {
      access_token: accessToken,
      id_token: idToken,
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS,
    });
  };

  const discoveryDocument = () => ({
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/token`,
    grant_types_supported: ['password'],
    response_types_supported: ['token'],
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

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
