/** Stopping and starting the local runtime on the same data directory keeps everything. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { freePorts, startLocalStack } from '../support/local-stack.ts';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-restart-'));
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

describe('a restart', () => {
  it('keeps records, uploaded files and execution history', async () => {
    const ports = await freePorts();
    const before = await startLocalStack({ dataDir, ports });
    const created = await before.api('POST', '/imports', {
      as: 'admin',
      body: { format: 'force-csv', fileName: 'a.csv' },
    });
    const importId = String(created.body.importId);
    await fetch(String(created.body.uploadUrl), {
      method: 'PUT',
      body: syntheticForceExport({ count: 5, seed: 1 }),
    });
    await before.api('POST', `/imports/${importId}/start`, { as: 'admin' });
    const stateMachineArn = before.runtime.physicalName('ImportDecisions');
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${importId}`;
    await before.runtime.stepFunctions.waitForExecution(executionArn);
    await before.close();

    const after = await startLocalStack({ dataDir, ports });
    try {
      const record = await after.api('GET', `/imports/${importId}`, { as: 'admin' });
      expect(record.body).toMatchObject({ status: 'COMPLETED', counts: { accepted: 5 } });
      const execution = await after.sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(execution.status).toBe('SUCCEEDED');
      const listed = await after.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      expect(listed.executions?.map((e) => e.name)).toEqual([importId]);
    } finally {
      await after.close();
    }
  });
});
