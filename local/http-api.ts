/**
 * Serves the synthesized API Gateway HTTP API on one machine: the routes, JWT authorizers, Lambda
 * proxy integrations (payload format 2.0) and CORS configuration are read from the template, and
 * requests run the same handler modules that are deployed, receiving the event API Gateway would
 * build and answered the way API Gateway would answer.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
} from 'aws-lambda';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { FunctionRegistry, LocalFunction } from './functions.ts';
import type { ResolvedResource, ResolvedTemplate } from './template.ts';

/** API Gateway's payload limit for HTTP APIs. */
const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
const CLOCK_TOLERANCE_SECONDS = 5;
// Verified against AWS: only these arrive as text; everything else (form posts and a missing
// content-type included) arrives base64-encoded.
const TEXT_CONTENT_TYPE = /^(text\/[^;]+|application\/(json|xml|javascript))\s*(;|$)/i;

export interface HttpApiOptions {
  readonly template: ResolvedTemplate;
  readonly functions: FunctionRegistry;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: '127.0.0.1';
  /**
   * Supplies an issuer's signing keys, called on every verification. By default they are found as
   * API Gateway finds them: `jwks_uri` from the issuer's OpenID discovery document, cached.
   */
  readonly fetchJwks?: (issuer: string) => Promise<JSONWebKeySet>;
}

export interface HttpApi {
  readonly url: string;
  close(): Promise<void>;
}

export class HttpApiTemplateError extends Error {
  override readonly name = 'HttpApiTemplateError';
}

interface JwtAuthorizer {
  readonly issuer: string;
  readonly audience: readonly string[];
  /** Lowercase, as Node presents request headers. */
  readonly tokenHeader: string;
}

type PathSegment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'parameter'; readonly name: string };

interface Route {
  readonly routeKey: string;
  /** An HTTP method, or `ANY`. */
  readonly method: string;
  /** The segments before a greedy variable, or all of them. */
  readonly segments: readonly PathSegment[];
  /** The name of a trailing `{name+}` variable. */
  readonly greedy?: string;
  readonly isDefault: boolean;
  readonly authorizer?: JwtAuthorizer;
  readonly scopes: readonly string[];
  readonly target: LocalFunction;
}

interface CorsConfiguration {
  readonly AllowOrigins?: string[];
  readonly AllowMethods?: string[];
  readonly AllowHeaders?: string[];
  readonly ExposeHeaders?: string[];
  readonly MaxAge?: number;
  readonly AllowCredentials?: boolean;
}

interface GatewayResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

type JwtContext = APIGatewayEventRequestContextJWTAuthorizer['jwt'];
type Authorization = { readonly jwt: JwtContext } | { readonly refusal: GatewayResponse };

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const host = options.host ?? '127.0.0.1';
  const { api, routes, cors } = readApi(options.template, options.functions);
  const keySetFor = keySetSource(options.fetchJwks);

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    response.setHeader('apigw-requestid', requestId);
    if (cors && request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      return send(response, preflightResponse(cors, request.headers.origin));
    }
    const corsHeaders = cors ? corsResponseHeaders(cors, request.headers.origin) : {};
    const reply = (gatewayResponse: GatewayResponse) => send(response, gatewayResponse, corsHeaders);
    const body = await readRequestBody(request);
    if (!body) return reply(messageResponse(413, 'Request Entity Too Large'));

    const method = request.method ?? 'GET';
    const [rawTarget = '', rawQueryString = ''] = splitOnce(request.url ?? '/', '?');
    const requestSegments = rawTarget === '/' ? [] : rawTarget.slice(1).split('/');
    const match = findRoute(routes, method, requestSegments);
    if (!match) return reply(messageResponse(404, 'Not Found'));
    const { route, pathParameters } = match;

    let jwt: JwtContext | undefined;
    if (route.authorizer) {
      const authorization = await authorize(route, route.authorizer, request, keySetFor);
      if ('refusal' in authorization) return reply(authorization.refusal);
      jwt = authorization.jwt;
    }

    const event = buildEvent({
      request,
      route,
      rawPath: safeDecode(rawTarget),
      rawQueryString,
      pathParameters,
      body,
      requestId,
      apiId: api.logicalId.toLowerCase(),
      accountId: options.template.accountId,
      jwt,
    });
    let result: unknown;
    try {
      result = await route.target.invoke(event);
    } catch (error) {
      // The error's name only: its message can quote case data.
      console.error(
        `[http-api] ${route.routeKey} failed (request ${requestId}): ${(error as Error)?.name ?? 'Error'}`,
      );
      return reply(messageResponse(500, 'Internal Server Error'));
    }
    let gatewayResponse: GatewayResponse;
    try {
      gatewayResponse = fromLambdaResult(result);
    } catch (error) {
      console.error(`[http-api] ${route.routeKey} returned a response API Gateway rejects:`, String(error));
      return reply(messageResponse(500, 'Internal Server Error'));
    }
    // With CORS configured, API Gateway ignores the integration's own CORS headers.
    if (cors) gatewayResponse = withoutCorsHeaders(gatewayResponse);
    reply(gatewayResponse);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('[http-api] request failed:', error);
      if (!response.headersSent) send(response, messageResponse(500, 'Internal Server Error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });

  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readApi(template: ResolvedTemplate, functions: FunctionRegistry) {
  const apis = template.ofType('AWS::ApiGatewayV2::Api');
  const [api] = apis;
  if (!api || apis.length > 1) {
    throw new HttpApiTemplateError(
      `Expected one AWS::ApiGatewayV2::Api in the template, found ${apis.length}`,
    );
  }
  const belongsToApi = (resource: ResolvedResource) => resource.properties.ApiId === api.logicalId;
  const resourceOfApi = (type: string, logicalId: string, usedBy: string) => {
    const resource = template.resources.get(logicalId);
    if (resource?.type !== type || !belongsToApi(resource)) {
      throw new HttpApiTemplateError(
        `${usedBy} refers to "${logicalId}", which is not a ${type} of this API`,
      );
    }
    return resource;
  };

  const routes = template
    .ofType('AWS::ApiGatewayV2::Route')
    .filter(belongsToApi)
    .map((resource): Route => {
      const { RouteKey, AuthorizationType, AuthorizerId, AuthorizationScopes, Target } =
        resource.properties as {
          RouteKey: string;
          AuthorizationType?: string;
          AuthorizerId?: string;
          AuthorizationScopes?: string[];
          Target?: string;
        };
      const usedBy = `Route ${RouteKey}`;
      const integrationId = /^integrations\/(.+)$/.exec(Target ?? '')?.[1];
      if (!integrationId) throw new HttpApiTemplateError(`${usedBy} has no integration target`);
      const integration = resourceOfApi('AWS::ApiGatewayV2::Integration', integrationId, usedBy);

      let authorizer: JwtAuthorizer | undefined;
      const authorizationType = AuthorizationType ?? 'NONE';
      if (authorizationType === 'JWT') {
        const authorizerResource = resourceOfApi(
          'AWS::ApiGatewayV2::Authorizer',
          String(AuthorizerId),
          usedBy,
        );
        authorizer = jwtAuthorizer(authorizerResource);
      } else if (authorizationType !== 'NONE') {
        throw new HttpApiTemplateError(
          `${usedBy}: authorization type ${authorizationType} is not supported locally`,
        );
      }

      return {
        ...parseRouteKey(RouteKey),
        routeKey: RouteKey,
        authorizer,
        scopes: AuthorizationScopes ?? [],
        target: lambdaTarget(integration, functions),
      };
    })
    .sort(bySpecificity);

  const cors = api.properties.CorsConfiguration as CorsConfiguration | undefined;
  return { api, routes, cors };
}

function jwtAuthorizer(resource: ResolvedResource): JwtAuthorizer {
  const { AuthorizerType, IdentitySource, JwtConfiguration } = resource.properties as {
    AuthorizerType?: string;
    IdentitySource?: string[];
    JwtConfiguration?: { Issuer?: string; Audience?: string[] };
  };
  if (AuthorizerType !== 'JWT') {
    throw new HttpApiTemplateError(
      `Authorizer ${resource.logicalId}: type ${AuthorizerType} is not supported`,
    );
  }
  const identitySource = IdentitySource?.[0] ?? '$request.header.Authorization';
  const tokenHeader = /^\$request\.header\.(.+)$/.exec(identitySource)?.[1];
  if (!tokenHeader || !JwtConfiguration?.Issuer) {
    throw new HttpApiTemplateError(
      `Authorizer ${resource.logicalId} needs a JwtConfiguration.Issuer and a header identity source`,
    );
  }
  return {
    issuer: JwtConfiguration.Issuer,
    audience: JwtConfiguration.Audience ?? [],
    tokenHeader: tokenHeader.toLowerCase(),
  };
}

function lambdaTarget(integration: ResolvedResource, functions: FunctionRegistry): LocalFunction {
  const { IntegrationType, IntegrationUri, PayloadFormatVersion } = integration.properties;
  if (IntegrationType !== 'AWS_PROXY' || PayloadFormatVersion !== '2.0') {
    throw new HttpApiTemplateError(
      `Integration ${integration.logicalId}: only Lambda proxy integrations (payload format 2.0) run locally`,
    );
  }
  const uri = String(IntegrationUri);
  // Integrations may name the function directly or through the Lambda invocation path.
  const functionArn = /\/functions\/([^/]+)\/invocations$/.exec(uri)?.[1] ?? uri;
  return functions.get(functionArn);
}

function parseRouteKey(routeKey: string): Pick<Route, 'method' | 'segments' | 'greedy' | 'isDefault'> {
  if (routeKey === '$default') return { method: 'ANY', segments: [], isDefault: true };
  const [method = '', routePath = ''] = splitOnce(routeKey, ' ');
  if (!routePath.startsWith('/')) throw new HttpApiTemplateError(`Route key "${routeKey}" is not understood`);
  const parts = routePath === '/' ? [] : routePath.slice(1).split('/');
  const greedy = /^\{(.+)\+\}$/.exec(parts.at(-1) ?? '')?.[1];
  const segments = (greedy ? parts.slice(0, -1) : parts).map((part): PathSegment => {
    const parameter = /^\{(.+)\}$/.exec(part)?.[1];
    return parameter ? { kind: 'parameter', name: parameter } : { kind: 'literal', value: part };
  });
  return { method: method.toUpperCase(), segments, greedy, isDefault: false };
}

/**
 * API Gateway's precedence: a full match beats a greedy `{proxy+}` match, which beats `$default`;
 * literal segments beat path variables, a longer greedy prefix beats a shorter one, and a route for
 * the request's own method beats `ANY`.
 */
function bySpecificity(a: Route, b: Route): number {
  const kindOrder = (segment: PathSegment | undefined) => (segment?.kind === 'literal' ? 0 : 1);
  const segmentOrder = () => {
    for (let index = 0; index < Math.min(a.segments.length, b.segments.length); index++) {
      const order = kindOrder(a.segments[index]) - kindOrder(b.segments[index]);
      if (order !== 0) return order;
    }
    return 0;
  };
  return (
    Number(a.isDefault) - Number(b.isDefault) ||
    Number(a.greedy !== undefined) - Number(b.greedy !== undefined) ||
    b.segments.length - a.segments.length ||
    segmentOrder() ||
    Number(a.method === 'ANY') - Number(b.method === 'ANY')
  );
}

/** The first match wins, as routes are kept in order of specificity. */
function findRoute(routes: readonly Route[], method: string, requestSegments: readonly string[]) {
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    const pathParameters = matchPath(route, requestSegments);
    if (pathParameters) return { route, pathParameters };
  }
  return undefined;
}

/** Matches on the still-encoded path, so an encoded `/` stays inside its variable. */
function matchPath(route: Route, requestSegments: readonly string[]): Record<string, string> | undefined {
  if (route.isDefault) return {};
  const { segments, greedy } = route;
  if (greedy ? requestSegments.length <= segments.length : requestSegments.length !== segments.length) {
    return undefined;
  }
  const parameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const value = safeDecode(requestSegments[index] ?? '');
    if (segment.kind === 'literal' ? value !== segment.value : value === '') return undefined;
    if (segment.kind === 'parameter') parameters[segment.name] = value;
  }
  if (greedy) {
    const rest = safeDecode(requestSegments.slice(segments.length).join('/'));
    if (rest === '') return undefined;
    parameters[greedy] = rest;
  }
  return parameters;
}

type KeySetSource = (issuer: string) => Promise<JWTVerifyGetKey>;

function keySetSource(fetchJwks: HttpApiOptions['fetchJwks']): KeySetSource {
  if (fetchJwks) return async (issuer) => createLocalJWKSet(await fetchJwks(issuer));
  const discovered = new Map<string, Promise<JWTVerifyGetKey>>();
  return (issuer) => {
    let keySet = discovered.get(issuer);
    if (!keySet) {
      keySet = discoverKeySet(issuer);
      discovered.set(issuer, keySet);
      // A failed discovery (the issuer not up yet) is retried by the next request.
      keySet.catch(() => discovered.delete(issuer));
    }
    return keySet;
  };
}

async function discoverKeySet(issuer: string): Promise<JWTVerifyGetKey> {
  const discoveryUrl = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(discoveryUrl);
  if (!response.ok) throw new Error(`${discoveryUrl} answered ${response.status}`);
  const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: unknown };
  if (typeof jwksUri !== 'string') throw new Error(`${discoveryUrl} names no jwks_uri`);
  return createRemoteJWKSet(new URL(jwksUri));
}

/** The JWT authorizer's checks, in the order and with the outcomes API Gateway documents. */
async function authorize(
  route: Route,
  authorizer: JwtAuthorizer,
  request: IncomingMessage,
  keySetFor: KeySetSource,
): Promise<Authorization> {
  const presented = request.headers[authorizer.tokenHeader];
  const token = (Array.isArray(presented) ? presented[0] : presented)?.replace(/^Bearer /i, '').trim();
  if (!token) return { refusal: unauthorized() };

  const now = Math.floor(Date.now() / 1000);
  let payload: JWTPayload;
  try {
    if (!decodeProtectedHeader(token).kid) return { refusal: unauthorized(route, 'the token has no kid') };
  } catch {
    return { refusal: unauthorized(route, 'the token is malformed') };
  }
  let keySet: JWTVerifyGetKey;
  try {
    keySet = await keySetFor(authorizer.issuer);
  } catch (error) {
    console.warn(`[http-api] cannot fetch the signing keys of ${authorizer.issuer}:`, String(error));
    return { refusal: unauthorized(route, 'the signing keys could not be fetched') };
  }
  try {
    ({ payload } = await jwtVerify(token, keySet, {
      issuer: authorizer.issuer,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (error) {
    return { refusal: unauthorized(route, verificationFailure(error)) };
  }
  // The audience is checked against `aud` when present, and only otherwise against `client_id`.
  const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
  if (!audiences.some((audience) => authorizer.audience.includes(String(audience)))) {
    return { refusal: unauthorized(route, 'the token is not for this audience') };
  }
  if (typeof payload.iat === 'number' && payload.iat > now + CLOCK_TOLERANCE_SECONDS) {
    return { refusal: unauthorized(route, 'the token is issued in the future') };
  }
  const scopes = tokenScopes(payload);
  if (route.scopes.length > 0 && !route.scopes.some((scope) => scopes?.includes(scope))) {
    return {
      refusal: messageResponse(403, 'Forbidden', {
        'www-authenticate': bearerChallenge(route, 'insufficient_scope', 'the token lacks a required scope'),
      }),
    };
  }
  return { jwt: { claims: claimsAsStrings(payload), scopes } };
}

function verificationFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not valid`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'no signing key matches the token';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  return 'the token is not valid';
}

function tokenScopes(payload: JWTPayload): string[] | null {
  const claimed = payload.scope ?? payload.scp;
  if (typeof claimed === 'string') return claimed.split(/\s+/).filter(Boolean);
  if (Array.isArray(claimed)) return claimed.map(String);
  return null;
}

/**
 * API Gateway hands JWT claims to the integration as strings, printed as its Go runtime prints
 * them: numbers and booleans in their plain form, and a list such as `cognito:groups` as
 * `[auditor admin]`. Handlers must parse that shape in AWS, so they receive it here too.
 */
function claimsAsStrings(payload: JWTPayload): Record<string, string> {
  const asString = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return `[${value.map(asString).join(' ')}]`;
    if (value !== null && typeof value === 'object') return JSON.stringify(value);
    return String(value);
  };
  return Object.fromEntries(Object.entries(payload).map(([claim, value]) => [claim, asString(value)]));
}

function unauthorized(route?: Route, description?: string): GatewayResponse {
  const challenge = route && description ? bearerChallenge(route, 'invalid_token', description) : 'Bearer';
  return messageResponse(401, 'Unauthorized', { 'www-authenticate': challenge });
}

function bearerChallenge(route: Route, error: string, description: string): string {
  return `Bearer scope="${route.scopes.join(' ')}" error="${error}" error_description="${description}"`;
}

function buildEvent(input: {
  request: IncomingMessage;
  route: Route;
  rawPath: string;
  rawQueryString: string;
  pathParameters: Record<string, string>;
  body: Buffer;
  requestId: string;
  apiId: string;
  accountId: string;
  jwt: JwtContext | undefined;
}): APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer {
  const { request, route, rawPath, rawQueryString, body, jwt } = input;
  const sourceIp = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] ?? '').toLowerCase();
    const value = request.rawHeaders[index + 1] ?? '';
    if (name === 'cookie')
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';

  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = queryStringParameters[name];
    queryStringParameters[name] = previous === undefined ? value : `${previous},${value}`;
  }
  const isText = TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  const domainName = headers.host ?? '';
  const now = new Date();

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    cookies: cookies.length > 0 ? cookies : undefined,
    headers,
    queryStringParameters: rawQueryString ? queryStringParameters : undefined,
    pathParameters: Object.keys(input.pathParameters).length > 0 ? input.pathParameters : undefined,
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? '',
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    body: body.length > 0 ? body.toString(isText ? 'utf8' : 'base64') : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
  if (!jwt) return event;
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { principalId: '', integrationLatency: 0, jwt } },
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's request time format, e.g. `12/Mar/2020:19:03:58 +0000`. */
function requestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const day = `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  return `${day}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

class MalformedLambdaResponseError extends Error {}

/** Payload format 2.0: a result with a `statusCode` describes the response; anything else is the body. */
function fromLambdaResult(result: unknown): GatewayResponse {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(JSON.stringify(result) ?? 'null'),
    };
  }
  const { statusCode, headers, cookies, body, isBase64Encoded } = result as {
    statusCode: unknown;
    headers?: Record<string, unknown>;
    cookies?: unknown[];
    body?: unknown;
    isBase64Encoded?: boolean;
  };
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new MalformedLambdaResponseError(`statusCode ${String(statusCode)} is not an HTTP status`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new MalformedLambdaResponseError('body must be a string');
  }
  return {
    status: statusCode,
    headers: Object.fromEntries(
      Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
    ),
    cookies: (cookies ?? []).map(String),
    body: Buffer.from(body ?? '', isBase64Encoded ? 'base64' : 'utf8'),
  };
}

function messageResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message })),
  };
}

function originAllowed(cors: CorsConfiguration, origin: string): boolean {
  const lowerOrigin = origin.toLowerCase();
  return (cors.AllowOrigins ?? []).some((allowed) => {
    const pattern = allowed.toLowerCase();
    if (pattern === '*') return true;
    // `https://*` and `http://*` allow any origin with that scheme.
    if (pattern.endsWith('://*')) return lowerOrigin.startsWith(pattern.slice(0, -1));
    return lowerOrigin === pattern;
  });
}

function allowOriginHeaders(cors: CorsConfiguration, origin: string): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-origin': cors.AllowOrigins?.includes('*') ? '*' : origin,
  };
  if (cors.AllowCredentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}

/** The CORS headers API Gateway adds to a response, or none for a request from a disallowed origin. */
function corsResponseHeaders(cors: CorsConfiguration, origin: string | undefined): Record<string, string> {
  if (!origin || !originAllowed(cors, origin)) return {};
  const headers = allowOriginHeaders(cors, origin);
  if (cors.ExposeHeaders?.length) headers['access-control-expose-headers'] = cors.ExposeHeaders.join(',');
  return headers;
}

/** API Gateway answers preflights itself, before routing and authorization. */
function preflightResponse(cors: CorsConfiguration, origin: string | undefined): GatewayResponse {
  const headers: Record<string, string> = {};
  if (origin && originAllowed(cors, origin)) {
    Object.assign(headers, allowOriginHeaders(cors, origin));
    if (cors.AllowMethods?.length) headers['access-control-allow-methods'] = cors.AllowMethods.join(',');
    if (cors.AllowHeaders?.length) headers['access-control-allow-headers'] = cors.AllowHeaders.join(',');
    if (cors.MaxAge !== undefined) headers['access-control-max-age'] = String(cors.MaxAge);
  }
  return { status: 204, headers, cookies: [], body: Buffer.alloc(0) };
}

function withoutCorsHeaders(gatewayResponse: GatewayResponse): GatewayResponse {
  const headers = Object.entries(gatewayResponse.headers).filter(
    ([name]) => !name.startsWith('access-control-'),
  );
  return { ...gatewayResponse, headers: Object.fromEntries(headers) };
}

function send(
  response: ServerResponse,
  gatewayResponse: GatewayResponse,
  extraHeaders: Record<string, string> = {},
): void {
  response.statusCode = gatewayResponse.status;
  for (const [name, value] of Object.entries({ ...gatewayResponse.headers, ...extraHeaders })) {
    response.setHeader(name, value);
  }
  if (gatewayResponse.cookies.length > 0) response.setHeader('set-cookie', [...gatewayResponse.cookies]);
  response.end(gatewayResponse.body);
}

/** The body, or undefined when it is over API Gateway's limit (read to the end either way). */
async function readRequestBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_REQUEST_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_REQUEST_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + separator.length)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
