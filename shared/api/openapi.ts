/**
 * The OpenAPI 3.1 document of the API, generated from the route table and its zod schemas, so
 * clients and documentation cannot drift from the code that enforces them.
 */
import { z } from 'zod';
import { ROLES } from '../roles.ts';
import { ROUTE_IDS, ROUTES, type RouteDefinition } from './routes.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
};

const ErrorSchema = z.object({
  error: z.string().describe('Stable error name, e.g. ValidationError'),
  message: z.string(),
  issues: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  requestId: z.string(),
});

function parameters(route: RouteDefinition): JsonSchema[] {
  const list: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      list.push({
        name,
        in: location,
        required: location === 'path' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return list;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const routeId of ROUTE_IDS) {
    const route: RouteDefinition = ROUTES[routeId];
    const isPublic = route.access === 'public';
    const responses: Record<string, unknown> = {
      [String(route.successStatus ?? 200)]: {
        description: 'Success',
        content: { 'application/json': { schema: toSchema(route.response, 'output') } },
      },
    };
    if (route.params || route.query || route.body) responses['400'] = errorResponse('Invalid request');
    if (!isPublic) {
      responses['401'] = errorResponse('No valid token');
      responses['403'] = errorResponse('The caller has none of the allowed roles');
    }
    if (route.params) responses['404'] = errorResponse('No such record, or not visible to the caller');
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: routeId,
      summary: route.summary,
      ...(isPublic
        ? { security: [] }
        : { 'x-scrutineer-roles': route.access, description: `Allowed roles: ${route.access.join(', ')}.` }),
      parameters: parameters(route),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Scrutineer API',
      version,
      description: `Case audit and scrutiny of NFA and filing decisions. Roles: ${ROLES.join(', ')}.`,
    },
    security: [{ oidc: [] }],
    components: {
      securitySchemes: { oidc: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: toSchema(ErrorSchema, 'output') },
    },
    paths,
  };
}
