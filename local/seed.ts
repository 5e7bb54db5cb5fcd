/**
 * First-run demo data. Decisions are loaded the way a force would load them: as the admin, through
 * the API and the import workflow (register, upload to the presigned URL, start, wait). Then the
 * demo panel: its reviewers and the next two sittings.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LocalRuntime } from './runtime.ts';
import { syntheticForceExport } from './synthetic-data.ts';

export const DEMO_DECISIONS = 600;
const SEED_MARKER = 'seeded.json';

export interface SeedSummary {
  readonly importId: string;
  readonly counts: unknown;
}

async function call(runtime: LocalRuntime, token: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${runtime.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`${method} ${route} answered ${response.status}: ${String(json.message)}`);
  return json;
}

/**
 * Reviewers, the panel and its sittings, written with the same data access the panel routes use.
 * Imported late: shared/aws-clients reads its endpoints from the environment the runtime has just set.
 */
export async function seedDemoPanel(): Promise<void> {
  const { saveReviewer, savePanel, saveSitting } = await import('../shared/panels/panel-store.ts');
  const { DEMO_REVIEWERS, DEMO_PANEL, DEMO_SITTINGS } = await import('./demo-panel.ts');
  for (const reviewer of DEMO_REVIEWERS) await saveReviewer(reviewer);
  await savePanel(DEMO_PANEL);
  for (const sitting of DEMO_SITTINGS) await saveSitting(sitting);
}

export async function seedIfEmpty(runtime: LocalRuntime): Promise<SeedSummary | undefined> {
  const marker = path.join(runtime.dataDir, SEED_MARKER);
  if (existsSync(marker)) return undefined;
  const token = await runtime.tokenFor('admin');
  const created = await call(runtime, token, 'POST', '/imports', {
    format: 'force-csv',
    fileName: 'demo-decisions.csv',
  });
  const importId = String(created.importId);
  const upload = await fetch(String(created.uploadUrl), {
    method: 'PUT',
    body: syntheticForceExport({ count: DEMO_DECISIONS, seed: 20221 }),
  });
  if (!upload.ok) throw new Error(`Upload of the demo export failed: ${upload.status}`);
  await call(runtime, token, 'POST', `/imports/${importId}/start`);
  const stateMachineArn = runtime.physicalName('ImportDecisions');
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${importId}`;
  await runtime.stepFunctions.waitForExecution(executionArn);
  const record = await call(runtime, token, 'GET', `/imports/${importId}`);
  await seedDemoPanel();
  const summary = { importId, counts: record.counts };
  await writeFile(marker, JSON.stringify({ ...summary, seededAt: new Date().toISOString() }, null, 2));
  return summary;
}
