/**
 * Import throughput: a synthetic force export imported through the API and the import workflow on
 * the local runtime, against a baseline measured in the same run on the same stand-in: the same
 * rows parsed and written with conditional PutItems directly, with the same concurrency. The ratio
 * is the price of orchestration (planning, chunking, per-row idempotence, error report, counts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { syntheticForceExport } from '../local/synthetic-data.ts';
import { deterministicId } from '../shared/ids.ts';
import { startLocalStack } from '../test/support/local-stack.ts';

export interface BenchResult {
  readonly name: string;
  readonly lines: string[];
}

export async function importThroughput(rows: number): Promise<BenchResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-bench-'));
  const stack = await startLocalStack({ dataDir });
  try {
    const csv = syntheticForceExport({ count: rows, seed: 42 });
    const token = await stack.runtime.tokenFor('admin');

    // Baseline: parse and write each row once, 16 at a time, into a scratch key space.
    const table = stack.runtime.physicalName('TablesMain');
    const baselineStart = performance.now();
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    for (let i = 0; i < records.length; i += 16) {
      await Promise.all(
        records.slice(i, i + 16).map((record) =>
          stack.documents.send(
            new PutCommand({
              TableName: table,
              Item: { pk: `BASELINE#${deterministicId('b', JSON.stringify(record))}`, sk: 'B', ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        ),
      );
    }
    const baselineMs = performance.now() - baselineStart;

    const workflowStart = performance.now();
    const created = await stack.api('POST', '/imports', {
      token,
      body: { format: 'force-csv', fileName: 'bench.csv' },
    });
    await fetch(String(created.body.uploadUrl), { method: 'PUT', body: csv });
    await stack.api('POST', `/imports/${created.body.importId}/start`, { token });
    const stateMachineArn = stack.runtime.physicalName('ImportDecisions');
    const result = await stack.runtime.stepFunctions.waitForExecution(
      `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${created.body.importId}`,
    );
    const workflowMs = performance.now() - workflowStart;
    if (result.status !== 'SUCCEEDED') throw new Error(`Import ${result.status}`);
    const record = await stack.api('GET', `/imports/${created.body.importId}`, { token });

    const perSecond = (ms: number) => Math.round((rows / ms) * 1000);
    return {
      name: `Import of ${rows.toLocaleString('en-GB')} decisions (local runtime)`,
      lines: [
        `| direct conditional PutItems (baseline) | ${(baselineMs / 1000).toFixed(2)} s | ${perSecond(baselineMs)} rows/s |`,
        `| import workflow, API to COMPLETED | ${(workflowMs / 1000).toFixed(2)} s | ${perSecond(workflowMs)} rows/s |`,
        `| ratio workflow / baseline | ${(workflowMs / baselineMs).toFixed(2)} | counts ${JSON.stringify(record.body.counts)} |`,
      ],
    };
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
