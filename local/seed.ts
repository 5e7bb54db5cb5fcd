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
import type { Decision } from '../shared/decisions/decision.ts';
import { applies, type Question } from '../shared/review/question-set.ts';
import { DEMO_AUDITORS, DEMO_PANEL, DEMO_REVIEWERS, DEMO_SITTINGS } from './demo-panel.ts';
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
  /** A case of that agenda its reviewers have concluded, with its evidence pack. */
  readonly concludedCase: string;
  /** A dip sample the audit team drew, under review in an audit review round (its sitting id). */
  readonly sample: { readonly sampleId: string; readonly drawn: number; readonly roundId: string };
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
async function seedDemoAgenda(runtime: LocalRuntime): Promise<SeedSummary['agenda'] & { caseIds: string[] }> {
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
  return { sittingId, cases: caseIds.size, caseIds: [...caseIds] };
}

interface DemoCaseView {
  assignment: { assignmentId: string; caseId: string };
  decision: Pick<Decision, 'outcomeCode' | 'decisionType'>;
  questionSet: { version: number; questions: Question[] };
}

/**
 * One case of the agenda concluded by its reviewers, who agree (each signs in, given a sign-in as
 * an admin would when they join): the chair has a concluded case, its evidence pack and a
 * proposed recommendation to decide on first start.
 */
async function seedConcludedCase(runtime: LocalRuntime, sittingId: string, caseId: string): Promise<string> {
  const admin = await runtime.tokenFor('admin');
  const routing = await call(
    runtime,
    await runtime.tokenFor('chair'),
    'GET',
    `/sittings/${sittingId}/routing`,
  );
  const routed = (routing.cases as { caseId: string; reviewers: string[] }[]).find(
    (c) => c.caseId === caseId,
  );
  for (const reviewerId of routed?.reviewers ?? []) {
    const reviewer = DEMO_REVIEWERS.find((candidate) => candidate.reviewerId === reviewerId);
    if (!reviewer) continue;
    const subject = reviewer.subject ?? `demo-${reviewerId}`;
    if (!reviewer.subject) {
      const { reviewerId: _id, ...fields } = reviewer;
      await call(runtime, admin, 'PUT', `/reviewers/${reviewerId}`, { ...fields, subject });
    }
    const token = await runtime.tokenFor('panel', { sub: subject, name: reviewer.name });
    const mine = await call(runtime, token, 'GET', '/assignments');
    const assignment = (mine.items as { assignmentId: string; caseId: string }[]).find(
      (a) => a.caseId === caseId,
    );
    if (!assignment) continue;
    const view = (await call(
      runtime,
      token,
      'GET',
      `/assignments/${assignment.assignmentId}/case`,
    )) as unknown as DemoCaseView;
    const submitted = await call(runtime, token, 'POST', `/assignments/${assignment.assignmentId}/findings`, {
      questionSetVersion: view.questionSet.version,
      answers: Object.fromEntries(
        view.questionSet.questions
          .filter((question) => applies(question, view.decision))
          .map((question) => [
            question.questionId,
            { code: 'yes', rationale: 'Recorded in the file (synthetic)' },
          ]),
      ),
      verdict: 'consistent',
      verdictRationale: 'The decision followed the evidential test and policy (synthetic demo finding)',
      learningPoints: [{ text: 'Record the victim’s views on bail conditions', level: 'organisational' }],
      recommendations: [
        {
          text: 'Remind officers to record the victim’s views before bail decisions',
          owner: 'Head of Public Protection',
          dueDate: new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10),
        },
      ],
      themes: ['bail conditions'],
    });
    await runtime.waitForExecution('ConcludeCase', String(submitted.findingId));
  }
  return caseId;
}

/** A simple random dip sample of last year's NFA and filing decisions, drawn by the audit team. */
async function seedDemoSample(runtime: LocalRuntime): Promise<SeedSummary['sample']> {
  const auditor = await runtime.tokenFor('auditor');
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  const created = await call(runtime, auditor, 'POST', '/samples', {
    label: 'Demo dip sample: NFA and filed decisions of the last 12 months',
    filter: { decisionDateFrom: from, decisionDateTo: to },
    design: { type: 'simple' },
    size: 10,
  });
  const sampleId = String(created.sampleId);
  await runtime.waitForExecution('DipSample', sampleId);
  const sample = await call(runtime, auditor, 'GET', `/samples/${sampleId}`);
  // The audit team reviews it itself, in an audit review round led by the auditor.
  const round = await call(runtime, auditor, 'POST', `/samples/${sampleId}/review-rounds`, {
    auditorReviewerIds: DEMO_AUDITORS.map((reviewer) => reviewer.reviewerId),
    findingsDeadline: new Date(Date.now() + 28 * 86_400_000).toISOString().slice(0, 10),
  });
  const { sittingId } = round.sitting as { sittingId: string };
  await runtime.waitForExecution('RouteCases', String((round.routing as { execution: string }).execution));
  return { sampleId, drawn: Number(sample.drawnSize ?? 0), roundId: sittingId };
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
  for (const reviewer of [...DEMO_REVIEWERS, ...DEMO_AUDITORS]) await putReviewer(reviewer);
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
  const { caseIds, ...agenda } = await seedDemoAgenda(runtime);
  const summary: SeedSummary = {
    importId,
    counts: record.counts,
    agenda,
    concludedCase: await seedConcludedCase(runtime, agenda.sittingId, String(caseIds[0])),
    sample: await seedDemoSample(runtime),
  };
  await writeFile(marker, JSON.stringify({ ...summary, seededAt: new Date().toISOString() }, null, 2));
  return summary;
}
