import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  HttpApi as CdkHttpApi,
  CorsHttpMethod,
  HttpMethod,
  HttpNoneAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type CfnFunction, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_USERS } from '../../local/demo-users.ts';
import { FunctionRegistry } from '../../local/functions.ts';
import { type HttpApi, startHttpApi } from '../../local/http-api.ts';
import { type OidcIssuer, startOidcIssuer } from '../../local/oidc-issuer.ts';
import { type CfnTemplate, resolveTemplate } from '../../local/template.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const AUDIENCE = 'scrutineer-local-client';
const APP_ORIGIN = 'http://localhost:5173';
const ADMIN_SCOPE = 'scrutineer/admin';

type EchoedEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

function addHandler(stack: Stack, id: string, handlerExport: string): HttpLambdaIntegration {
  const fn = new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('x'),
  });
  const cfnFunction = fn.node.defaultChild as CfnFunction;
  cfnFunction.addMetadata('scrutineer:entry', 'test/fixtures/http-api/handlers.ts');
  cfnFunction.addMetadata('scrutineer:handler', handlerExport);
  return new HttpLambdaIntegration(`${id}Integration`, fn);
}

function casesApiTemplate(issuerUrl: string): CfnTemplate {
  const stack = new Stack(new App(), 'HttpApiTest');
  const api = new CdkHttpApi(stack, 'Api', {
    defaultAuthorizer: new HttpJwtAuthorizer('Jwt', issuerUrl, { jwtAudience: [AUDIENCE] }),
    corsPreflight: {
      allowOrigins: [APP_ORIGIN],
      allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.DELETE],
      allowHeaders: ['authorization', 'content-type'],
      exposeHeaders: ['apigw-requestid'],
      allowCredentials: true,
      maxAge: Duration.minutes(10),
    },
  });
  const echo = addHandler(stack, 'Echo', 'echo');
  const plain = addHandler(stack, 'Plain', 'plain');
  api.addRoutes({ path: '/cases/{caseId}', methods: [HttpMethod.GET], integration: echo });
  api.addRoutes({ path: '/cases/summary', methods: [HttpMethod.GET], integration: plain });
  api.addRoutes({ path: '/cases/{caseId}/notes', methods: [HttpMethod.POST], integration: echo });
  api.addRoutes({ path: '/files/{proxy+}', methods: [HttpMethod.ANY], integration: echo });
  api.addRoutes({ path: '/files/{proxy+}', methods: [HttpMethod.GET], integration: plain });
  api.addRoutes({
    path: '/health',
    methods: [HttpMethod.GET],
    integration: plain,
    authorizer: new HttpNoneAuthorizer(),
  });
  api.addRoutes({
    path: '/admin/report',
    methods: [HttpMethod.GET],
    integration: echo,
    authorizationScopes: [ADMIN_SCOPE],
  });
  api.addRoutes({ path: '/boom', methods: [HttpMethod.GET], integration: addHandler(stack, 'Fail', 'fail') });
  api.addRoutes({
    path: '/binary',
    methods: [HttpMethod.GET],
    integration: addHandler(stack, 'Binary', 'binary'),
  });
  api.addRoutes({
    path: '/malformed',
    methods: [HttpMethod.GET],
    integration: addHandler(stack, 'Malformed', 'malformed'),
  });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

function defaultRouteApiTemplate(): CfnTemplate {
  const stack = new Stack(new App(), 'DefaultRouteTest');
  const api = new CdkHttpApi(stack, 'Api', { defaultIntegration: addHandler(stack, 'Plain', 'plain') });
  api.addRoutes({ path: '/only', methods: [HttpMethod.GET], integration: addHandler(stack, 'Echo', 'echo') });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

function registryFor(template: CfnTemplate) {
  const resolved = resolveTemplate(template);
  return { template: resolved, functions: new FunctionRegistry(resolved, projectRoot) };
}

/** node:http rather than fetch, to send a header twice as two separate lines. */
function getWithRawHeaders(url: string, headers: Record<string, string | string[]>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('local HTTP API', () => {
  let dataDir: string;
  let issuer: OidcIssuer;
  let api: HttpApi;
  let functions: FunctionRegistry;
  let chairToken: string;

  const echoFunction = () => {
    const echo = functions.all().find((fn) => fn.handlerExport === 'echo');
    if (!echo) throw new Error('echo handler missing from the template');
    return echo;
  };
  const call = (pathAndQuery: string, init: RequestInit = {}) => fetch(`${api.url}${pathAndQuery}`, init);
  const withToken = (token: string, init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
  });
  const expectRefused = async (response: Response, status = 401) => {
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ message: status === 401 ? 'Unauthorized' : 'Forbidden' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'scrutineer-http-api-'));
    issuer = await startOidcIssuer({ dataDir, audience: AUDIENCE, users: DEMO_USERS });
    const registry = registryFor(casesApiTemplate(issuer.issuer));
    functions = registry.functions;
    api = await startHttpApi(registry);
    chairToken = await issuer.tokenFor('chair');
  });

  afterAll(async () => {
    await api?.close();
    await issuer?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('JWT authorizer', () => {
    it('refuses a request without a token and never calls the handler', async () => {
      const invoke = vi.spyOn(echoFunction(), 'invoke');
      try {
        await expectRefused(await call('/cases/case-1'));
        expect(invoke).not.toHaveBeenCalled();
        await call('/cases/case-1', withToken(chairToken));
        expect(invoke).toHaveBeenCalledTimes(1);
      } finally {
        invoke.mockRestore();
      }
    });

    it('refuses expired tokens, foreign audiences and foreign issuers', async () => {
      const now = Math.floor(Date.now() / 1000);
      const forged = await Promise.all([
        issuer.tokenFor('auditor', { iat: now - 7200, auth_time: now - 7200, exp: now - 3600 }),
        issuer.tokenFor('auditor', { aud: 'some-other-client' }),
        issuer.tokenFor('auditor', { aud: 'some-other-client', client_id: AUDIENCE }),
        issuer.tokenFor('auditor', { iss: 'http://127.0.0.1:1' }),
        issuer.tokenFor('auditor', { nbf: now + 600 }),
        issuer.tokenFor('auditor', { iat: now + 600 }),
      ]);
      for (const token of forged) await expectRefused(await call('/cases/case-1', withToken(token)));
    });

    it('says why an expired token was refused', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await issuer.tokenFor('auditor', { exp: now - 60 });
      const response = await call('/cases/case-1', withToken(expired));
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(response.headers.get('www-authenticate')).toContain('expired');
    });

    it('refuses a token signed by another key, even under the same kid', async () => {
      const { kid } = decodeProtectedHeader(chairToken);
      const { privateKey } = await generateKeyPair('RS256');
      const now = Math.floor(Date.now() / 1000);
      const impostor = await new SignJWT({ sub: 'demo-admin', 'cognito:groups': ['admin'] })
        .setProtectedHeader({ alg: 'RS256', kid: kid ?? '' })
        .setIssuer(issuer.issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      await expectRefused(await call('/cases/case-1', withToken(impostor)));
    });

    it('refuses a token that is not a JWT', async () => {
      await expectRefused(await call('/cases/case-1', withToken('not-a-token')));
    });

    it('passes claims to the handler as strings, as API Gateway does', async () => {
      const response = await call('/cases/case-1', withToken(chairToken));
      expect(response.status).toBe(200);
      const event = (await response.json()) as EchoedEvent;
      const { claims, scopes } = event.requestContext.authorizer.jwt;
      expect(claims['cognito:groups']).toBe('[panel_chair panel_member]');
      expect(claims.sub).toBe('demo-chair');
      expect(claims.email_verified).toBe('true');
      expect(claims.aud).toBe(AUDIENCE);
      expect(claims.exp).toMatch(/^\d+$/);
      expect(Object.values(claims).every((value) => typeof value === 'string')).toBe(true);
      expect(scopes).toBeNull();
    });

    it('accepts a token without the Bearer prefix', async () => {
      const response = await call('/cases/case-1', { headers: { authorization: chairToken } });
      expect(response.status).toBe(200);
    });

    it('accepts an access token through its client_id when it has no aud', async () => {
      const response = await fetch(`${issuer.issuer}/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', username: 'isva' }),
      });
      const { access_token: accessToken } = (await response.json()) as { access_token: string };
      const echoed = await call('/cases/case-1', withToken(accessToken));
      expect(echoed.status).toBe(200);
      const { claims } = ((await echoed.json()) as EchoedEvent).requestContext.authorizer.jwt;
      expect(claims.token_use).toBe('access');
      expect(claims.client_id).toBe(AUDIENCE);
    });

    it('answers 403 when the token lacks the scope a route requires', async () => {
      await expectRefused(await call('/admin/report', withToken(chairToken)), 403);
      const scoped = await issuer.tokenFor('admin', { scope: `openid ${ADMIN_SCOPE}` });
      const response = await call('/admin/report', withToken(scoped));
      expect(response.status).toBe(200);
      const event = (await response.json()) as EchoedEvent;
      expect(event.requestContext.authorizer.jwt.scopes).toEqual(['openid', ADMIN_SCOPE]);
    });

    it('lets a role-less token through: roles are the handler’s business', async () => {
      const roleless = await issuer.tokenFor('auditor', { 'cognito:groups': undefined });
      const response = await call('/cases/case-1', withToken(roleless));
      const { claims } = ((await response.json()) as EchoedEvent).requestContext.authorizer.jwt;
      expect(claims).not.toHaveProperty('cognito:groups');
    });
  });

  describe('the event', () => {
    it('carries decoded path parameters and the query string', async () => {
      const response = await call('/cases/case%20one?status=open&tag=a&tag=b%2Cc', withToken(chairToken));
      const event = (await response.json()) as EchoedEvent;
      expect(event.version).toBe('2.0');
      expect(event.routeKey).toBe('GET /cases/{caseId}');
      expect(event.rawPath).toBe('/cases/case one');
      expect(event.pathParameters).toEqual({ caseId: 'case one' });
      expect(event.rawQueryString).toBe('status=open&tag=a&tag=b%2Cc');
      expect(event.queryStringParameters).toEqual({ status: 'open', tag: 'a,b,c' });
      expect(event.body).toBeUndefined();
      expect(event.isBase64Encoded).toBe(false);
    });

    it('fills the request context as API Gateway does', async () => {
      const response = await call(
        '/cases/case-1',
        withToken(chairToken, { headers: { 'user-agent': 'vitest' } }),
      );
      const event = (await response.json()) as EchoedEvent;
      const { requestContext } = event;
      expect(requestContext).toMatchObject({
        accountId: '000000000000',
        routeKey: 'GET /cases/{caseId}',
        stage: '$default',
        http: {
          method: 'GET',
          path: '/cases/case-1',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'vitest',
        },
        authorizer: { jwt: { claims: { sub: 'demo-chair' } } },
      });
      expect(requestContext.requestId).toBe(response.headers.get('apigw-requestid'));
      expect(requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
      expect(Math.abs(requestContext.timeEpoch - Date.now())).toBeLessThan(60_000);
      expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    });

    it('joins repeated headers with commas and moves cookies out of the headers', async () => {
      const { status, body } = await getWithRawHeaders(`${api.url}/cases/case-1`, {
        authorization: `Bearer ${chairToken}`,
        'X-Repeated': ['one', 'two'],
        cookie: 'a=1; b=2',
      });
      expect(status).toBe(200);
      const event = JSON.parse(body) as EchoedEvent;
      expect(event.headers['x-repeated']).toBe('one,two');
      expect(event.headers).not.toHaveProperty('cookie');
      expect(event.cookies).toEqual(['a=1', 'b=2']);
    });

    it('passes a JSON body as text and a binary body base64-encoded', async () => {
      const post = (body: string | Buffer, contentType: string) =>
        call(
          '/cases/case-1/notes',
          withToken(chairToken, { method: 'POST', body, headers: { 'content-type': contentType } }),
        );

      const json = (await (await post('{"note":"hello"}', 'application/json')).json()) as EchoedEvent;
      expect(json.body).toBe('{"note":"hello"}');
      expect(json.isBase64Encoded).toBe(false);

      const bytes = Buffer.from([0, 159, 146, 150]);
      const binary = (await (await post(bytes, 'application/octet-stream')).json()) as EchoedEvent;
      expect(binary.isBase64Encoded).toBe(true);
      expect(Buffer.from(binary.body ?? '', 'base64')).toEqual(bytes);
    });

    it('refuses a body over 10 MB', async () => {
      const tooBig = Buffer.alloc(10 * 1024 * 1024 + 1, 'a');
      const response = await call(
        '/cases/case-1/notes',
        withToken(chairToken, { method: 'POST', body: tooBig, headers: { 'content-type': 'text/plain' } }),
      );
      expect(response.status).toBe(413);
    });
  });

  describe('routing', () => {
    it('prefers a literal segment over a path variable', async () => {
      const summary = await call('/cases/summary', withToken(chairToken));
      expect(await summary.json()).toEqual({ routeKey: 'GET /cases/summary', ok: true });
      const byId = (await (await call('/cases/summary-2', withToken(chairToken))).json()) as EchoedEvent;
      expect(byId.routeKey).toBe('GET /cases/{caseId}');
    });

    it('matches greedy paths, preferring the request method over ANY', async () => {
      const get = await call('/files/a/b%20c/d.pdf', withToken(chairToken));
      expect(await get.json()).toEqual({ routeKey: 'GET /files/{proxy+}', ok: true });
      const remove = (await (
        await call('/files/a/b%20c/d.pdf', withToken(chairToken, { method: 'DELETE' }))
      ).json()) as EchoedEvent;
      expect(remove.routeKey).toBe('ANY /files/{proxy+}');
      expect(remove.pathParameters).toEqual({ proxy: 'a/b c/d.pdf' });
    });

    it('serves a route without authorization to anyone', async () => {
      const response = await call('/health');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ routeKey: 'GET /health', ok: true });
    });

    it('answers 404 for an unknown path or method, before authorization', async () => {
      for (const [pathAndQuery, method] of [
        ['/nowhere', 'GET'],
        ['/cases', 'GET'],
        ['/health', 'POST'],
      ] as const) {
        const response = await call(pathAndQuery, { method });
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual({ message: 'Not Found' });
      }
    });
  });

  describe('responses', () => {
    it('answers 500 without internals when the handler throws', async () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const response = await call('/boom', withToken(chairToken));
        expect(response.status).toBe(500);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({ message: 'Internal Server Error' });
        expect(text).not.toContain('hunter2');
        expect(response.headers.get('apigw-requestid')).toBeTruthy();
      } finally {
        consoleError.mockRestore();
      }
    });

    it('answers 500 when the handler returns a response API Gateway would reject', async () => {
      const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect((await call('/malformed', withToken(chairToken))).status).toBe(500);
      } finally {
        consoleError.mockRestore();
      }
    });

    it('decodes a base64 body and sends each cookie as its own Set-Cookie', async () => {
      const response = await call('/binary', withToken(chairToken));
      expect(response.status).toBe(201);
      expect(response.headers.get('x-count')).toBe('3');
      expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      call('/cases/case-1', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });

    it('answers a preflight from an allowed origin without a token', async () => {
      const response = await preflight(APP_ORIGIN);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE');
      expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-max-age')).toBe('600');
    });

    it('gives a disallowed origin no CORS headers', async () => {
      const response = await preflight('https://elsewhere.example.org');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-methods')).toBeNull();
      const actual = await call('/health', { headers: { origin: 'https://elsewhere.example.org' } });
      expect(actual.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('adds its own CORS headers to responses, replacing the handler’s', async () => {
      const response = await call(
        '/cases/case-1',
        withToken(chairToken, { headers: { origin: APP_ORIGIN } }),
      );
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(response.headers.get('access-control-expose-headers')).toBe('apigw-requestid');
      const refused = await call('/cases/case-1', { headers: { origin: APP_ORIGIN } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    });
  });
});

describe('local HTTP API with a $default route', () => {
  let api: HttpApi;

  beforeAll(async () => {
    api = await startHttpApi(registryFor(defaultRouteApiTemplate()));
  });

  afterAll(async () => {
    await api?.close();
  });

  it('sends what no other route matches to $default, and nothing else', async () => {
    const fallback = await fetch(`${api.url}/anything/at/all`, { method: 'PUT' });
    expect(await fallback.json()).toEqual({ routeKey: '$default', ok: true });
    const only = (await (await fetch(`${api.url}/only`)).json()) as APIGatewayProxyEventV2;
    expect(only.routeKey).toBe('GET /only');
    expect(only.requestContext).not.toHaveProperty('authorizer');
  });

  it('answers a preflight through routing when the API has no CORS configuration', async () => {
    const response = await fetch(`${api.url}/only`, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' },
    });
    expect(await response.json()).toEqual({ routeKey: '$default', ok: true });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
