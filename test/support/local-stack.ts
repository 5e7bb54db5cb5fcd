/** Boots the whole local runtime for a test file, on random ports and a fresh data directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalPorts, type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { LOCAL_CREDENTIALS } from '../../local/stand-ins.ts';

export interface LocalStack {
  readonly runtime: LocalRuntime;
  readonly sfn: SFNClient;
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  /** Calls the API as a demo user (or anonymously), returning status and parsed JSON body. */
  api(
    method: string,
    route: string,
    options?: { as?: string; token?: string; body?: unknown },
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  /** Imports a force CSV export through the API and the import workflow, as `as`; the import id. */
  importDecisions(csv: string, as?: string): Promise<string>;
  /** Waits for an execution of the state machine whose logical id starts with the prefix. */
  waitForExecution(machinePrefix: string, name: string): Promise<{ status?: string; output?: string }>;
  /** NFA and filing decisions (of one import, if given) decided well inside the nomination window. */
  eligibleDecisions(importId?: string): Promise<(Record<string, unknown> & StoredDecision)[]>;
  /** Nominates a decision as a nominator persona; the API's answer. */
  nominate(decisionId: string, as?: string): ReturnType<LocalStack['api']>;
  /** Routes the sitting's agenda as its chair and waits for the routing to finish. */
  routeSitting(sittingId: string): Promise<{ status?: string; output?: string }>;
  /** Every stored decision (of one import, if given), read straight from the table. */
  decisions(importId?: string): Promise<(Record<string, unknown> & StoredDecision)[]>;
  close(): Promise<void>;
}

export interface StoredDecision {
  decisionId: string;
  provenance: { importId: string; sourceLine: number };
}

/** The date (YYYY-MM-DD, UTC) the given number of days before now. */
export const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/**
 * Pass `ports` to restart on the same addresses, as `npm start` does: handler modules keep their
 * SDK clients for the life of the process, so a restart within one process must not move them.
 */
export async function startLocalStack(
  options: { dataDir?: string; ports?: LocalPorts } = {},
): Promise<LocalStack> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'scrutineer-test-')));
  const runtime = await startLocalRuntime({
    dataDir,
    fastRetries: true,
    ...(options.ports ? { ports: options.ports } : {}),
  });
  const client = { region: runtime.region, credentials: LOCAL_CREDENTIALS };
  const sfn = new SFNClient({ ...client, endpoint: runtime.stepFunctionsEndpoint });
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...client, endpoint: runtime.dynamodbEndpoint }),
  );
  const s3 = new S3Client({
    ...client,
    endpoint: runtime.s3Endpoint,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const api: LocalStack['api'] = async (method, route, { as, token, body } = {}) => {
    const bearer = token ?? (as ? await runtime.tokenFor(as) : undefined);
    const response = await fetch(`${runtime.apiUrl}${route}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  };
  const stack: LocalStack = {
    runtime,
    sfn,
    documents,
    s3,
    api,
    waitForExecution: runtime.waitForExecution,
    importDecisions: async (csv, as = 'admin') => {
      const created = await api('POST', '/imports', {
        as,
        body: { format: 'force-csv', fileName: 'export.csv' },
      });
      const importId = String(created.body.importId);
      await fetch(String(created.body.uploadUrl), { method: 'PUT', body: csv });
      await api('POST', `/imports/${importId}/start`, { as });
      await runtime.waitForExecution('ImportDecisions', importId);
      return importId;
    },
    eligibleDecisions: async (importId) => {
      // 330 days: inside the 12-month window whatever the day the tests run.
      const windowStart = daysAgo(330);
      return (await stack.decisions(importId)).filter(
        (decision) =>
          ['police_nfa', 'cps_nfa', 'filed'].includes(String(decision.decisionType)) &&
          String(decision.decisionDate) >= windowStart,
      );
    },
    nominate: (decisionId, as = 'isva') =>
      api('POST', '/nominations', {
        as,
        body: {
          decisionId,
          reasonCodes: ['victim_dissatisfied'],
          victimConsent: 'consents',
          vrrStatus: 'requested',
        },
      }),
    routeSitting: async (sittingId) => {
      const started = await api('POST', `/sittings/${sittingId}/routing`, { as: 'chair' });
      return runtime.waitForExecution('RouteCases', String(started.body.execution));
    },
    decisions: async (importId) => {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new ScanCommand({
            TableName: runtime.physicalName('TablesMain'),
            FilterExpression: importId ? 'sk = :sk AND provenance.importId = :importId' : 'sk = :sk',
            ExpressionAttributeValues: { ':sk': 'DECISION', ...(importId ? { ':importId': importId } : {}) },
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return (items as (Record<string, unknown> & StoredDecision)[]).sort(
        (a, b) => a.provenance.sourceLine - b.provenance.sourceLine,
      );
    },
    close: async () => {
      sfn.destroy();
      documents.destroy();
      s3.destroy();
      await runtime.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Free ports for a runtime that must come back on the same addresses. */
export async function freePorts(): Promise<LocalPorts> {
  const one = () =>
    new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
  return {
    api: await one(),
    issuer: await one(),
    stepFunctions: await one(),
    dynamodb: await one(),
    s3: await one(),
    secretsManager: await one(),
    eventBridge: await one(),
    kms: await one(),
    web: await one(),
  };
}
