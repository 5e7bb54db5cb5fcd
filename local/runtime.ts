/**
 * The whole system on one machine: the synthesized stack's tables and buckets on local stand-ins,
 * its state machines on a local interpreter behind a Step Functions endpoint, its HTTP API with
 * the same handlers, a local OIDC issuer, and its schedules on timers. Handlers only see different
 * endpoints and credentials, through the standard AWS environment variables.
 */
import './stepfunctions/polyfills.ts';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DEFAULT_ROLES_CLAIM } from '../shared/http/principal.ts';
import { startWebServer } from '../web/server.ts';
import { DEMO_USERS } from './demo-users.ts';
import { type PublishedEvent, startLocalEventBridge } from './eventbridge.ts';
import { FunctionRegistry } from './functions.ts';
import { startHttpApi } from './http-api.ts';
import { loadLocalKms } from './kms.ts';
import { startOidcIssuer } from './oidc-issuer.ts';
import { LocalScheduler } from './scheduler.ts';
import { loadLocalSecrets } from './secrets-manager.ts';
import { LOCAL_CREDENTIALS, provisionFromTemplate, startStandIns } from './stand-ins.ts';
import { createStepFunctionsEndpoint } from './stepfunctions/endpoint.ts';
import { LocalStepFunctions } from './stepfunctions/service.ts';
import { synthesizeForLocal } from './synth.ts';
import { type ResolvedTemplate, resolveTemplate } from './template.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');
export const LOCAL_AUDIENCE = 'scrutineer-local';

export interface LocalPorts {
  readonly api: number;
  readonly issuer: number;
  readonly stepFunctions: number;
  readonly dynamodb: number;
  readonly s3: number;
  readonly secretsManager: number;
  readonly eventBridge: number;
  readonly kms: number;
  readonly web: number;
}

export interface LocalRuntimeOptions {
  readonly dataDir: string;
  /** Fixed ports keep URLs and issued tokens valid across restarts; 0 picks free ports (tests). */
  readonly ports?: Partial<LocalPorts>;
  /** Fire schedules on their timers (off in tests, which fire them on demand). */
  readonly runSchedules?: boolean;
  /** Short retry intervals in the state machines, for tests of failure paths. */
  readonly fastRetries?: boolean;
}

export interface LocalRuntime {
  /** The web application, signed in to through the issuer's persona picker. */
  readonly webUrl: string;
  readonly apiUrl: string;
  readonly issuerUrl: string;
  readonly stepFunctionsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  readonly dataDir: string;
  readonly template: ResolvedTemplate;
  readonly stepFunctions: LocalStepFunctions;
  readonly scheduler: LocalScheduler;
  /** Events the handlers published on EventBridge, oldest first. */
  readonly publishedEvents: readonly PublishedEvent[];
  readonly region: string;
  tokenFor(username: string, overrides?: Record<string, unknown>): Promise<string>;
  /** The physical name of a template resource (a table or bucket name, a state machine ARN). */
  physicalName(logicalIdPrefix: string): string;
  /** Waits for an execution, named by its state machine's logical id prefix and its own name. */
  waitForExecution(machinePrefix: string, name: string): Promise<{ status?: string; output?: string }>;
  close(): Promise<void>;
}

const listen = (server: Server, port: number) =>
  new Promise<string>((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const ports = {
    api: 0,
    issuer: 0,
    stepFunctions: 0,
    dynamodb: 0,
    s3: 0,
    secretsManager: 0,
    eventBridge: 0,
    kms: 0,
    web: 0,
    ...options.ports,
  };
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const issuer = await startOidcIssuer({
      dataDir: path.join(options.dataDir, 'oidc'),
      port: ports.issuer,
      audience: LOCAL_AUDIENCE,
      users: DEMO_USERS,
    });
    closers.push(() => issuer.close());

    const template = resolveTemplate(
      await synthesizeForLocal({ issuer: issuer.issuer, audience: LOCAL_AUDIENCE }),
    );
    const standIns = await startStandIns({
      dataDir: options.dataDir,
      region: template.region,
      dynamodbPort: ports.dynamodb,
      s3Port: ports.s3,
    });
    closers.push(() => standIns.close());
    await provisionFromTemplate(template, standIns);

    /** Listens on the port (closed with the runtime) and returns the server and its endpoint. */
    const serve = async (port: number, handler?: RequestListener) => {
      const server = createServer(handler);
      const endpoint = await listen(server, port);
      closers.push(() => new Promise((resolve) => server.close(() => resolve())));
      return { server, endpoint };
    };

    const { server: sfnServer, endpoint: stepFunctionsEndpoint } = await serve(ports.stepFunctions);
    const secrets = await loadLocalSecrets(template, options.dataDir);
    const { endpoint: secretsManagerEndpoint } = await serve(ports.secretsManager, secrets.handler);
    const eventBridge = await startLocalEventBridge(options.dataDir);
    const { endpoint: eventBridgeEndpoint } = await serve(ports.eventBridge, eventBridge.handler);
    const kms = await loadLocalKms(options.dataDir);
    const { endpoint: kmsEndpoint } = await serve(ports.kms, kms.handler);

    const functions = new FunctionRegistry(template, PROJECT_ROOT);
    Object.assign(process.env, {
      AWS_REGION: template.region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: standIns.dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: standIns.s3Endpoint,
      AWS_ENDPOINT_URL_SFN: stepFunctionsEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeEndpoint,
      AWS_ENDPOINT_URL_KMS: kmsEndpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      POWERTOOLS_DEV: 'false',
      ...functions.sharedEnvironment(),
    });

    const stepFunctions = await LocalStepFunctions.create({
      template,
      functions,
      clients: { dynamodb: standIns.dynamodb, s3: standIns.s3 },
      dataDir: path.join(options.dataDir, 'stepfunctions'),
      ...(options.fastRetries ? { fastRetries: true } : {}),
    });
    closers.push(() => stepFunctions.close());
    sfnServer.on('request', createStepFunctionsEndpoint(stepFunctions));

    const api = await startHttpApi({ template, functions, port: ports.api });
    closers.push(() => api.close());

    const web = await startWebServer({
      apiUrl: api.url,
      issuerUrl: issuer.issuer,
      clientId: LOCAL_AUDIENCE,
      rolesClaim: DEFAULT_ROLES_CLAIM,
      port: ports.web,
    });
    closers.push(() => web.close());

    const scheduler = new LocalScheduler(template, stepFunctions, functions);
    if (options.runSchedules) scheduler.start();
    closers.push(async () => scheduler.stop());

    const runtime: LocalRuntime = {
      webUrl: web.url,
      apiUrl: api.url,
      issuerUrl: issuer.issuer,
      stepFunctionsEndpoint,
      dynamodbEndpoint: standIns.dynamodbEndpoint,
      s3Endpoint: standIns.s3Endpoint,
      dataDir: options.dataDir,
      template,
      stepFunctions,
      scheduler,
      publishedEvents: eventBridge.published,
      region: template.region,
      tokenFor: (username, overrides) => issuer.tokenFor(username, overrides),
      physicalName: (prefix) => {
        const matches = [...template.resources.values()].filter(
          (resource) =>
            resource.logicalId.startsWith(prefix) &&
            ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::StepFunctions::StateMachine'].includes(
              resource.type,
            ),
        );
        const [match] = matches;
        if (!match || matches.length > 1)
          throw new Error(`Expected one resource named ${prefix}…, found ${matches.length}`);
        return template.refOf(match.logicalId);
      },
      waitForExecution: (machinePrefix, name) =>
        stepFunctions.waitForExecution(
          `${runtime.physicalName(machinePrefix).replace(':stateMachine:', ':execution:')}:${name}`,
        ),
      close,
    };
    return runtime;
  } catch (error) {
    await close();
    throw error;
  }
}
