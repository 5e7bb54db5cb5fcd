/**
 * What a newcomer does: `npm start` brings the system up with demo data, answers an authenticated
 * request, refuses one without a token, and stops cleanly on Ctrl-C, keeping the data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_AUDITORS, DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import { DEMO_DECISIONS } from '../../local/seed.ts';
import { LOCAL_CREDENTIALS } from '../../local/stand-ins.ts';
import { freePorts } from '../support/local-stack.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-start-'));
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

function start(basePort: number) {
  const process_ = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--import', 'tsx', 'local/main.ts'],
    {
      cwd: projectRoot,
      env: { ...process.env, SCRUTINEER_DATA_DIR: dataDir, SCRUTINEER_PORT_BASE: String(basePort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    process_.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      if (output.includes('Press Ctrl-C to stop.')) resolve(output);
    });
    process_.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
  });
  return { process: process_, ready };
}

/** Nine consecutive free ports, as `npm start` takes them from its base port. */
async function freeBasePort(): Promise<number> {
  for (;;) {
    const { api } = await freePorts();
    const taken = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((offset) =>
        fetch(`http://127.0.0.1:${api + offset}`).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (api < 65000 && !taken.some(Boolean)) return api;
  }
}

describe('npm start', () => {
  it('runs the system with demo data and stops cleanly on Ctrl-C', async () => {
    const base = await freeBasePort();
    const first = start(base);
    child = first.process;
    const banner = await first.ready;
    expect(banner.split('\n')[0]).toBe(`Open http://127.0.0.1:${base + 5} and sign in as any demo persona`);
    expect(banner).toContain(`API             http://127.0.0.1:${base}`);
    expect((await fetch(`http://127.0.0.1:${base + 5}/`)).status).toBe(200);
    expect(banner).toMatch(/Demo data: import imp_\w+ loaded/);
    expect(banner).toMatch(/6 nominated cases on the agenda of sit_2027q1, routed to reviewers/);
    expect(banner).toMatch(/case_\w+ concluded, with its evidence pack and a proposed recommendation/);
    expect(banner).toMatch(/dip sample smp_\w+: 10 picks under audit review in sit_smp_\w+_r1/);

    const api = `http://127.0.0.1:${base}`;
    expect((await fetch(`${api}/imports`)).status).toBe(401);
    const tokenResponse = await fetch(`http://127.0.0.1:${base + 1}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username: 'admin' }),
    });
    const { id_token: token } = (await tokenResponse.json()) as { id_token: string };
    const imports = await fetch(`${api}/imports`, { headers: { authorization: `Bearer ${token}` } });
    // The audit team has the sample's cases to review: each of the ten with two auditors.
    const auditorToken = await fetch(`http://127.0.0.1:${base + 1}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', username: 'auditor2' }),
    }).then(async (response) => ((await response.json()) as { id_token: string }).id_token);
    const assigned = await fetch(`${api}/assignments`, {
      headers: { authorization: `Bearer ${auditorToken}` },
    });
    expect(((await assigned.json()) as { items: unknown[] }).items).toHaveLength(10);
    expect(imports.status).toBe(200);
    const { items } = (await imports.json()) as { items: { status: string; counts: { accepted: number } }[] };
    expect(items).toEqual([
      expect.objectContaining({
        status: 'COMPLETED',
        counts: expect.objectContaining({ accepted: DEMO_DECISIONS }),
      }),
    ]);

    const dynamodb = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: `http://127.0.0.1:${base + 3}`,
        region: 'eu-west-2',
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
    const mainTable = TableNames.find((name) => name.startsWith('TablesMain'));
    const reviewers = await dynamodb.send(
      new QueryCommand({
        TableName: mainTable,
        IndexName: 'byKind',
        KeyConditionExpression: 'gsi1pk = :kind',
        ExpressionAttributeValues: { ':kind': 'REVIEWER' },
      }),
    );
    expect(reviewers.Items).toHaveLength(DEMO_REVIEWERS.length + DEMO_AUDITORS.length);
    const concluded = banner.match(/(case_\w+) concluded/)?.[1];
    const { Item: concludedCase } = await dynamodb.send(
      new GetCommand({ TableName: mainTable, Key: { pk: `CASE#${concluded}`, sk: 'CASE' } }),
    );
    expect(concludedCase).toMatchObject({ status: 'CONCLUDED', verdict: 'consistent' });
    dynamodb.destroy();

    const exited = new Promise<number | null>((resolve) => first.process.on('exit', resolve));
    first.process.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'seeded.json'))).toBe(true);

    const second = start(base);
    child = second.process;
    const again = await second.ready;
    expect(again).not.toContain('Demo data:');
    const after = await fetch(`${api}/imports`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await after.json()) as { items: unknown[] }).items).toHaveLength(1);
    const stopped = new Promise<number | null>((resolve) => second.process.on('exit', resolve));
    second.process.kill('SIGINT');
    expect(await stopped).toBe(0);
  });
});
