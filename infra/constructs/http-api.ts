/**
 * The HTTP API, built from the route table (shared/api/routes.ts): one function per route with
 * its own role, a JWT authorizer on every route that is not public, CORS for the UI origin only,
 * throttling, and access logs without request bodies or tokens.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  ROUTE_IDS,
  ROUTES,
  type RouteDefinition,
  type RouteId,
  routeEntry,
} from '../../shared/api/routes.ts';
import { ENV } from '../../shared/environment.ts';
import type { DataTable } from './data-tables.ts';
import { functionLogGroup, ScrutineerFunction } from './scrutineer-function.ts';

export type RoutePermissions = Readonly<Record<RouteId, (fn: ScrutineerFunction) => void>>;

export interface HttpApiProps {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly rolesClaim: string;
  readonly uiOrigin: string;
  readonly encryptionKey: kms.IKey;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Every route that touches case data appends to it (and may never change it). */
  readonly auditTable: DataTable;
  /** What each route's function may touch; a route without an entry does not compile. */
  readonly permissions: RoutePermissions;
}

const METHODS: Record<RouteDefinition['method'], apigw.HttpMethod> = {
  GET: apigw.HttpMethod.GET,
  POST: apigw.HttpMethod.POST,
  PUT: apigw.HttpMethod.PUT,
  PATCH: apigw.HttpMethod.PATCH,
  DELETE: apigw.HttpMethod.DELETE,
};

export class HttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly routeFunctions: ReadonlyMap<RouteId, ScrutineerFunction>;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Scrutineer API',
      corsPreflight: {
        allowOrigins: [props.uiOrigin],
        allowMethods: [
          apigw.CorsHttpMethod.GET,
          apigw.CorsHttpMethod.POST,
          apigw.CorsHttpMethod.PUT,
          apigw.CorsHttpMethod.PATCH,
          apigw.CorsHttpMethod.DELETE,
        ],
        allowHeaders: ['authorization', 'content-type'],
        exposeHeaders: ['x-request-id'],
        maxAge: Duration.hours(1),
      },
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
    });
    (stage.node.defaultChild as apigw.CfnStage).accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        subject: '$context.authorizer.claims.sub',
        sourceIp: '$context.identity.sourceIp',
        requestTime: '$context.requestTime',
        latencyMs: '$context.responseLatency',
        authorizerError: '$context.authorizer.error',
      }),
    };

    const authorizer = new authorizers.HttpJwtAuthorizer('Jwt', props.issuer, {
      jwtAudience: [...props.audience],
      identitySource: ['$request.header.Authorization'],
    });
    // One log group for every route's function (each line names its route): a group per route
    // would cost a resource each, and a stack holds 500.
    const routeLogs = functionLogGroup(this, 'RouteLogs', props.encryptionKey);
    const routeFunctions = new Map<RouteId, ScrutineerFunction>();
    for (const routeId of ROUTE_IDS) {
      const route: RouteDefinition = ROUTES[routeId];
      const fn = new ScrutineerFunction(this, `Route-${routeId}`, {
        entry: routeEntry(routeId),
        description: `${route.method} ${route.path}: ${route.summary}`,
        encryptionKey: props.encryptionKey,
        ...(route.timeoutSeconds
          ? { timeout: Duration.seconds(route.timeoutSeconds), memorySize: 1024 }
          : {}),
        environment: { [ENV.rolesClaim]: props.rolesClaim, [ENV.uiOrigin]: props.uiOrigin },
        logGroup: routeLogs,
      });
      props.permissions[routeId](fn);
      if (route.audit !== 'none') fn.bindTableAppender(props.auditTable, ENV.auditTable);
      const routes = this.api.addRoutes({
        path: route.path,
        methods: [METHODS[route.method]],
        integration: new integrations.HttpLambdaIntegration(`Integration-${routeId}`, fn.function),
        authorizer: route.access === 'public' ? new apigw.HttpNoneAuthorizer() : authorizer,
      });
      if (route.access === 'public') {
        for (const r of routes) {
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is public by design (${route.summary}) and serves no case data`,
          });
        }
      }
      routeFunctions.set(routeId, fn);
    }
    this.routeFunctions = routeFunctions;
    this.addNoSuchRoute(props.encryptionKey, routeLogs);
  }

  /** The `$default` route: a request no route matches gets a 404 or 405 in the API's error shape. */
  private addNoSuchRoute(encryptionKey: kms.IKey, logGroup: logs.ILogGroup): void {
    const fn = new ScrutineerFunction(this, 'NoSuchRoute', {
      entry: NO_SUCH_ROUTE_ENTRY,
      description: 'Any request no route matches: a 404 or 405 in the API error shape',
      encryptionKey,
      logGroup,
    });
    const route = new apigw.HttpRoute(this, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: new integrations.HttpLambdaIntegration('Integration-noSuchRoute', fn.function),
      authorizer: new apigw.HttpNoneAuthorizer(),
    });
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route is public by design: it answers 404 or 405 and serves no data',
    });
  }
}

export const NO_SUCH_ROUTE_ENTRY = 'functions/api/no-such-route.ts';
