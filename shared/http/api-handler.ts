/**
 * Every API handler goes through here: the route table decides who may call (deny by default),
 * path, query and body are parsed with the route's schemas, errors map to status codes in one
 * place, and every response carries the security headers. Unexpected errors become a 500 with a
 * request id and nothing else; they are logged by name and stack, never with request content.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { z } from 'zod';
import { ROUTE_IDS, ROUTES, type RouteDefinition, type RouteId } from '../api/routes.ts';
import type { RecordAccess } from '../audit/audit-event.ts';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { ENV } from '../environment.ts';
import {
  type FieldIssue,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '../errors.ts';
import { checkAgainst, UNKNOWN_FIELD } from '../validation.ts';
import { DEFAULT_ROLES_CLAIM, type Principal, principalFromClaims } from './principal.ts';

export const logger = new Logger({ serviceName: 'scrutineer-api' });

type Route<R extends RouteId> = (typeof ROUTES)[R];
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface ApiRequest<R extends RouteId> {
  readonly routeId: R;
  /** Undefined only on public routes. */
  readonly principal: Route<R>['access'] extends 'public' ? Principal | undefined : Principal;
  readonly params: Route<R> extends { params: infer S } ? Infer<S> : undefined;
  readonly query: Route<R> extends { query: infer S } ? Infer<S> : undefined;
  readonly body: Route<R> extends { body: infer S } ? Infer<S> : undefined;
  readonly requestId: string;
  readonly event: APIGatewayProxyEventV2WithJWTAuthorizer;
  /** Reports a record the action collected, altered, consulted or disclosed, for the audit log. */
  recordAccess(access: RecordAccess): void;
}

export type ApiAction<R extends RouteId> = (request: ApiRequest<R>) => Promise<z.input<Route<R>['response']>>;

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const STATUS_BY_ERROR: Readonly<Record<string, number>> = {
  ValidationError: 400,
  PayloadTooLargeError: 413,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  MethodNotAllowedError: 405,
  ConflictError: 409,
};

export function jsonResponse(
  status: number,
  body: unknown,
  requestId: string,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  const name = error instanceof Error ? error.name : 'Error';
  const status = STATUS_BY_ERROR[name];
  if (status === undefined || !(error instanceof Error)) {
    // The frames only: an error's message can quote the data it choked on.
    const frames = error instanceof Error ? error.stack?.split('\n').slice(1).join('\n') : undefined;
    logger.error('Unhandled error', { errorName: name, frames });
    return jsonResponse(500, { error: 'InternalError', message: 'Internal error', requestId }, requestId);
  }
  const issues = error instanceof ValidationError ? error.issues : undefined;
  const response = jsonResponse(
    status,
    { error: name, message: error.message, ...(issues ? { issues } : {}), requestId },
    requestId,
  );
  if (error instanceof MethodNotAllowedError) {
    response.headers = { ...response.headers, allow: error.allowed.join(', ') };
  }
  return response;
}

/** A route without query parameters takes none: any given is named, not ignored. */
const NO_QUERY = z.object({});

/**
 * The value received, for the path and query only: they hold ids, numbers and choices, never
 * case content, which a body can.
 */
function receivedValue(raw: unknown, field: string, part: string): string {
  if (part === 'body' || typeof raw !== 'object' || raw === null) return '';
  const value = (raw as Record<string, unknown>)[field];
  if (typeof value !== 'string') return '';
  const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return ` (received ${JSON.stringify(shown)})`;
}

/** One part of the request against its schema: the parsed value, or its issues named from the part. */
function parsePart(
  schema: z.ZodType | undefined,
  value: unknown,
  part: 'path' | 'query' | 'body',
): { data?: unknown; issues: FieldIssue[] } {
  if (!schema) return { issues: [] };
  const checked = checkAgainst(schema, value ?? {});
  if (checked.ok) return { data: checked.data, issues: [] };
  return {
    issues: checked.issues.map((issue) => ({
      field: issue.field === '(root)' ? part : `${part}.${issue.field}`,
      reason: issue.reason.startsWith(UNKNOWN_FIELD)
        ? issue.reason
        : `${issue.reason}${receivedValue(value, issue.field, part)}`,
    })),
  };
}

/** The path, query and body parsed, or one ValidationError naming every bad field of all three. */
function parseRequest(route: RouteDefinition, event: APIGatewayProxyEventV2WithJWTAuthorizer) {
  const params = parsePart(route.params, event.pathParameters, 'path');
  const query = parsePart(route.query ?? NO_QUERY, event.queryStringParameters, 'query');
  const body = route.body
    ? parsePart(route.body, readJsonBody(event, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES), 'body')
    : { issues: [] };
  const issues = [...params.issues, ...query.issues, ...body.issues];
  if (issues.length > 0) {
    const parts = [...new Set(issues.map((issue) => issue.field.split('.')[0]))].join(', ');
    throw new ValidationError(
      `Invalid ${parts}: ${issues.map((i) => `${i.field}: ${i.reason}`).join('; ')}`,
      issues,
    );
  }
  return { params: params.data, query: query.data, body: body.data };
}

function readJsonBody(event: APIGatewayProxyEventV2WithJWTAuthorizer, maxBytes: number): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const bytes = event.isBase64Encoded
    ? Buffer.byteLength(event.body, 'base64')
    : Buffer.byteLength(event.body);
  if (bytes > maxBytes) throw new PayloadTooLargeError(`Request body is larger than ${maxBytes} bytes`);
  const contentType = event.headers?.['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('application/json')) {
    throw new ValidationError('Request body must be JSON', [
      { field: 'content-type', reason: 'expected application/json' },
    ]);
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('Request body is not valid JSON', [
      { field: 'body', reason: 'not valid JSON' },
    ]);
  }
}

/** Decides whether the caller may use the route at all. Object-level rules live with each action. */
export function authorize(route: RouteDefinition, principal: Principal | undefined): void {
  if (route.access === 'public') return;
  if (!principal) throw new UnauthorizedError();
  if (!principal.roles.some((role) => (route.access as readonly string[]).includes(role))) {
    throw new ForbiddenError('Your roles do not allow this action');
  }
}

export function apiHandler<R extends RouteId>(routeId: R, action: ApiAction<R>) {
  const route: RouteDefinition = ROUTES[routeId];
  const run = async (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    logger.appendKeys({ routeId, requestId });
    try {
      const claims = event.requestContext?.authorizer?.jwt?.claims ?? {};
      const principal = principalFromClaims(claims, process.env[ENV.rolesClaim] ?? DEFAULT_ROLES_CLAIM);
      authorize(route, principal);
      const accessed: RecordAccess[] = [];
      const request = {
        routeId,
        principal,
        ...parseRequest(route, event),
        requestId,
        event,
        recordAccess: (access: RecordAccess) => accessed.push(access),
      } as ApiRequest<R>;
      const result = await action(request);
      if (route.audit !== 'none' && principal && accessed.length > 0) {
        // Before the response: no case data leaves without its audit event.
        const via = `${route.method} ${route.path}`;
        await appendAuditEvents(accessed.map((access) => auditEvent(principal, access, requestId, via)));
      }
      return jsonResponse(route.successStatus ?? 200, result, requestId);
    } catch (error) {
      return errorResponse(error, requestId);
    } finally {
      logger.resetKeys();
    }
  };
  return middy<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>().handler(run);
}

/** Whether a request path is an instance of a route's path template (`/imports/{importId}`). */
function pathMatches(template: string, requestPath: string): boolean {
  const wanted = template.split('/');
  const given = requestPath.replace(/\/+$/, '').split('/');
  return (
    wanted.length === given.length &&
    wanted.every((segment, index) =>
      /^\{.+\}$/.test(segment) ? given[index] !== '' : segment === given[index],
    )
  );
}

/**
 * Every request that no route matches (the API's `$default` route): a 405 naming the methods the
 * path takes, or a 404, in the same error shape as every other refusal. Public, as it serves
 * nothing: the routes are described at `/openapi.json` anyway.
 */
export function noSuchRouteHandler() {
  const run = async (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const method = event.requestContext?.http?.method ?? 'GET';
    const requestPath = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    const allowed = ROUTE_IDS.map((routeId): RouteDefinition => ROUTES[routeId])
      .filter((route) => pathMatches(route.path, requestPath))
      .map((route) => route.method)
      .sort();
    const error =
      allowed.length > 0
        ? new MethodNotAllowedError(`${requestPath} takes ${allowed.join(', ')}, not ${method}`, allowed)
        : new NotFoundError(
            `No route matches ${method} ${requestPath}; the routes are listed at /openapi.json`,
          );
    return errorResponse(error, requestId);
  };
  return middy<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>().handler(run);
}
