/**
 * First-run demo data. Decisions are loaded the way a force would load them: as the admin, through
 * the API and the import workflow (register, upload to the presigned URL, start, wait). Then the
 * demo panel (its reviewers and the next two sittings) and its first agenda: a few decisions
 * nominated by the ISVA, CPS and police personas, put on the next sitting by the chair and routed,
 * so the panel personas have cases waiting for their findings.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_PANEL, DEMO_REVIEWERS, DEMO_SITTINGS } from './demo-panel.ts';
import { DEMO_USERS } from './demo-users.ts';
import type { LocalRuntime } from './runtime.ts';
import { syntheticDecisionRows, syntheticForceExport } from './synthetic-data.ts';

export const DEMO_DECISIONS = 600;
const DEMO_EXPORT = { count: DEMO_DECISIONS, seed: 20221 } as const;
/** How many decisions the demo nominators put forward for the first sitting. */
export const DEMO_NOMINATIONS = 6;
const SEED_MARKER = 'seeded.json';

export interface SeedSummary {
  readonly importId: string;
  readonly counts: unknown;
  /** The sitting the demo agenda was routed for, and how many cases it holds. */
  readonly agenda: { readonly sittingId: string; readonly cases: number };
}

async function send(runtime: LocalRuntime, token: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${runtime.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function call(runtime: LocalRuntime, token: string, method: string, route: string, body?: unknown) {
  const { status, json } = await send(runtime, token, method, route, body);
  if (status >= 300) throw new Error(`${method} ${route} answered ${status}: ${String(json.message)}`);
  return json;
}

const NOMINATIONS = [
  { as: 'isva', reasonCodes: ['victim_dissatisfied', 'lines_of_enquiry_missed'], vrrStatus: 'requested' },
  { as: 'cps', reasonCodes: ['evidential_threshold_questioned'], vrrStatus: 'not_requested' },
  { as: 'police', reasonCodes: ['safeguarding_concern'], vrrStatus: 'not_requested' },
] as const;

/**
 * The first sitting's agenda: decisions from the demo export nominated by crime reference (as a
 * nominator knows them) until DEMO_NOMINATIONS are accepted, put on the agenda and routed.
 */
async function seedDemoAgenda(runtime: LocalRuntime) {
  const sittingId = String(DEMO_SITTINGS[0]?.sittingId);
  const caseIds = new Set<string>();
  let attempt = 0;
  // Typical NFA outcomes, decided well inside the panel's 12-month window.
  const since = new Date(Date.now() - 330 * 86_400_000).toISOString().slice(0, 10);
  const likely = (row: { outcome_code: string; decision_date: string }) =>
    ['9', '10', '14', '15', '16', '18', '21'].includes(row.outcome_code) && row.decision_date >= since;
  for (const row of syntheticDecisionRows(DEMO_EXPORT)) {
    if (caseIds.size >= DEMO_NOMINATIONS) break;
    if (!likely(row)) continue;
    const nominator = NOMINATIONS[attempt++ % NOMINATIONS.length] as (typeof NOMINATIONS)[number];
    const nominated = await send(runtime, await runtime.tokenFor(nominator.as), 'POST', '/nominations', {
      crimeReference: row.crime_reference,
      reasonCodes: nominator.reasonCodes,
      freeText: 'Synthetic demo nomination',
      victimConsent: 'consents',
      vrrStatus: nominator.vrrStatus,
    });
    // Not every decision is eligible (not an NFA, out of the window): the refusal says why; skip it.
    if (nominated.status === 201) caseIds.add(String(nominated.json.caseId));
  }
  const chair = await runtime.tokenFor('chair');
  await call(runtime, chair, 'POST', `/sittings/${sittingId}/agenda`, { caseIds: [...caseIds] });
  const routing = await call(runtime, chair, 'POST', `/sittings/${sittingId}/routing`);
  await runtime.waitForExecution('RouteCases', String(routing.execution));
  return { sittingId, cases: caseIds.size };
}

/**
 * Reviewers, the panel and its sittings, written with the same data access the panel routes use.
 * The store is imported late: shared/aws-clients reads its endpoints from the environment the runtime
 * has just set.
 */
export async function seedDemoPanel(): Promise<void> {
  const { savePanel, saveSitting } = await import('../shared/panels/panel-store.ts');
  // As an admin saves them: their conflicts' person ids pseudonymised, so they match the decisions.
  const { putReviewer } = await import('../shared/panels/reviewers.ts');
  const { recordSignIn } = await import('../shared/people/people.ts');
  // The demo people have signed in once, so the chair can be named chair.
  for (const user of DEMO_USERS)
    await recordSignIn({ subject: user.sub, name: user.name, roles: user.roles });
  for (const reviewer of DEMO_REVIEWERS) await putReviewer(reviewer);
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
    body: syntheticForceExport(DEMO_EXPORT),
  });
  if (!upload.ok) throw new Error(`Upload of the demo export failed: ${upload.status}`);
  await call(runtime, token, 'POST', `/imports/${importId}/start`);
  await runtime.waitForExecution('ImportDecisions', importId);
  const record = await call(runtime, token, 'GET', `/imports/${importId}`);
  await seedDemoPanel();
  const summary = { importId, counts: record.counts, agenda: await seedDemoAgenda(runtime) };
  await writeFile(marker, JSON.stringify({ ...summary, seededAt: new Date().toISOString() }, null, 2));
  return summary;
}
