/**
 * The audit log (DPA 2018 s.62): every route that touches case data writes its events, with the
 * actor, roles, action, record, time and request id; workflows write theirs; auditors and admins
 * can read the trail by record and by actor; the log cannot be changed through the application.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../local/demo-users.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { ROUTE_IDS, ROUTES, type RouteDefinition, type RouteId } from '../../shared/api/routes.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import {
  assignedCase,
  type CaseView,
  findingFor,
  reviewCase,
  reviewersOf,
  reviewerToken,
  submitAndConclude,
} from '../support/review.ts';

let stack: LocalStack;
let importId: string;
let decisionId: string;

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
  const created = await stack.api('POST', '/imports', {
    as: 'police',
    body: { format: 'force-csv', fileName: 'a.csv' },
  });
  importId = String(created.body.importId);
  await fetch(String(created.body.uploadUrl), {
    method: 'PUT',
    body: syntheticForceExport({ count: 60, seed: 5 }),
  });
  await stack.api('POST', `/imports/${importId}/start`, { as: 'police' });
  await stack.runtime.waitForExecution('ImportDecisions', importId);
  const [decision] = await stack.decisions(importId);
  decisionId = String(decision?.decisionId);
});
afterAll(async () => stack?.close());

/** The crime reference of the first row of the export, as the force wrote it. */
const firstCrimeReference = () =>
  String(
    (parse(syntheticForceExport({ count: 60, seed: 5 }), { columns: true }) as Record<string, string>[])[0]
      ?.crime_reference,
  );

const eventsOfRequest = async (requestId: string) => {
  const trail = await stack.documents.send(
    new ScanCommand({
      TableName: stack.runtime.physicalName('TablesAudit'),
      FilterExpression: 'requestId = :requestId',
      ExpressionAttributeValues: { ':requestId': requestId },
    }),
  );
  return trail.Items ?? [];
};

let sampleId: string;

let agendaRouted = false;

/** The demo sitting with a nominated case on its agenda, routed to reviewers. */
async function routedAgenda() {
  if (agendaRouted) return;
  // Enough cases that lowest-load-first routing reaches every demo reviewer.
  const caseIds: string[] = [];
  for (let index = 0; index < 8; index++) caseIds.push(String((await nominateOne(index)).body.caseId));
  await stack.api('POST', '/sittings/sit_2027q1/agenda', { as: 'chair', body: { caseIds } });
  await stack.routeSitting('sit_2027q1');
  agendaRouted = true;
}

async function nominateOne(index = 0) {
  const eligible = (await stack.eligibleDecisions(importId))[index];
  return stack.nominate(String(eligible?.decisionId));
}
let reviewedByPanel: { caseId: string; view: CaseView } | undefined;

/** A routed case of the demo panel member (the persona `panel`), still open for their finding. */
async function panelCase() {
  if (reviewedByPanel) return reviewedByPanel;
  await routedAgenda();
  const mine = await stack.api('GET', '/assignments', { as: 'panel' });
  const open = (mine.body.items as { caseId: string; status: string }[]).find((a) => a.status === 'assigned');
  if (!open) throw new Error('The demo panel member has no open assignment');
  const token = await stack.runtime.tokenFor('panel');
  reviewedByPanel = { caseId: open.caseId, view: await assignedCase(stack, token, open.caseId) };
  return reviewedByPanel;
}

let concluded: string | undefined;

/** The panel member's case, concluded: its other reviewer agrees, so it concludes and is packed. */
async function concludedCase() {
  if (concluded) return concluded;
  const { caseId } = await panelCase();
  for (const reviewerId of await reviewersOf(stack, caseId)) {
    if (reviewerId === 'rev_morgan') continue;
    const token = await reviewerToken(stack, reviewerId);
    await submitAndConclude(stack, token, await assignedCase(stack, token, caseId), {
      ...findingFor(await assignedCase(stack, token, caseId), 'consistent'),
    });
  }
  concluded = caseId;
  return caseId;
}

let disputed: string | undefined;

/** A case whose two reviewers disagree, waiting for the chair's moderation. */
async function disputedCase() {
  if (disputed) return disputed;
  const nominated = await nominateOne(12);
  const caseId = String(nominated.body.caseId);
  await stack.api('POST', '/sittings/sit_2027q1/agenda', { as: 'chair', body: { caseIds: [caseId] } });
  await stack.routeSitting('sit_2027q1');
  await reviewCase(stack, caseId, ['consistent', 'inappropriate']);
  disputed = caseId;
  return caseId;
}

const sampleRequest = {
  filter: {
    decisionDateFrom: '2024-01-01',
    decisionDateTo: '2027-12-31',
    decisionTypes: ['police_nfa', 'cps_nfa', 'filed', 'other'],
  },
  design: { type: 'simple' },
  size: 2,
} as const;

async function drawnSample(): Promise<string> {
  if (sampleId) return sampleId;
  const created = await stack.api('POST', '/samples', {
    as: 'auditor',
    body: { ...sampleRequest, label: 'drawn' },
  });
  sampleId = String(created.body.sampleId);
  await stack.runtime.waitForExecution('DipSample', sampleId);
  return sampleId;
}

/** A call of each data route, as an admin unless said otherwise, on a record that exists. */
type Call = () => Promise<{ status: number; headers: Headers }>;
const CALLS: Record<
  RouteId,
  Call | { as: 'auditor' | 'isva' | 'chair' | 'panel' | 'panel2'; call: Call } | 'no case data'
> = {
  getHealth: 'no case data',
  getOpenApiDocument: 'no case data',
  getMe: 'no case data',
  createImport: () =>
    stack.api('POST', '/imports', { as: 'admin', body: { format: 'force-csv', fileName: 'b.csv' } }),
  listImports: () => stack.api('GET', '/imports', { as: 'admin' }),
  getImport: () => stack.api('GET', `/imports/${importId}`, { as: 'admin' }),
  startImport: async () => {
    const created = await stack.api('POST', '/imports', {
      as: 'admin',
      body: { format: 'force-csv', fileName: 'c.csv' },
    });
    await fetch(String(created.body.uploadUrl), {
      method: 'PUT',
      body: syntheticForceExport({ count: 1, seed: 8 }),
    });
    return stack.api('POST', `/imports/${created.body.importId}/start`, { as: 'admin' });
  },
  getImportErrors: async () => {
    const created = await stack.api('POST', '/imports', {
      as: 'admin',
      body: { format: 'force-csv', fileName: 'd.csv' },
    });
    const file = `${syntheticForceExport({ count: 1, seed: 9 })}not,a,row\n`;
    await fetch(String(created.body.uploadUrl), { method: 'PUT', body: file });
    await stack.api('POST', `/imports/${created.body.importId}/start`, { as: 'admin' });
    await stack.runtime.waitForExecution('ImportDecisions', String(created.body.importId));
    const link = await stack.api('GET', `/imports/${created.body.importId}/errors`, { as: 'admin' });
    const report = await (await fetch(String(link.body.url))).text();
    expect(report).toBe('line,field,reason\n3,(row),"expected 16 fields, found 3"\n');
    return link;
  },
  getDecision: () => stack.api('GET', `/decisions/${decisionId}`, { as: 'admin' }),
  searchDecisions: {
    as: 'auditor',
    call: () =>
      stack.api('GET', `/decisions?crimeReference=${encodeURIComponent(firstCrimeReference())}`, {
        as: 'auditor',
      }),
  },
  createSample: {
    as: 'auditor',
    call: () => stack.api('POST', '/samples', { as: 'auditor', body: sampleRequest }),
  },
  listSamples: async () => {
    await drawnSample();
    return stack.api('GET', '/samples', { as: 'admin' });
  },
  getSample: async () => stack.api('GET', `/samples/${await drawnSample()}`, { as: 'admin' }),
  getSampleManifest: async () =>
    stack.api('GET', `/samples/${await drawnSample()}/manifest`, { as: 'admin' }),
  revealSampleReferences: {
    as: 'auditor',
    call: async () =>
      stack.api('POST', `/samples/${await drawnSample()}/reveal`, {
        as: 'auditor',
        body: { reason: 'to pull the files of the picks for the audit' },
      }),
  },
  revealCaseReference: async () =>
    stack.api('POST', `/cases/${(await nominateOne(19)).body.caseId}/reveal`, {
      as: 'admin',
      body: { reason: 'to pull the file of the case for the audit' },
    }),
  topUpSample: {
    as: 'auditor',
    call: async () =>
      stack.api('POST', `/samples/${await drawnSample()}/top-ups`, {
        as: 'auditor',
        body: { additional: 1 },
      }),
  },
  openAuditRound: {
    as: 'auditor',
    call: async () => {
      const created = await stack.api('POST', '/samples', {
        as: 'auditor',
        body: { ...sampleRequest, label: 'audit round' },
      });
      await stack.runtime.waitForExecution('DipSample', String(created.body.sampleId));
      return stack.api('POST', `/samples/${created.body.sampleId}/review-rounds`, {
        as: 'auditor',
        body: { auditorReviewerIds: ['rev_alex', 'rev_avery'], findingsDeadline: '2099-01-01' },
      });
    },
  },
  getSampleEstimates: async () =>
    stack.api('GET', `/samples/${await drawnSample()}/estimates`, { as: 'admin' }),
  verifySample: async () => {
    const links = await stack.api('GET', `/samples/${await drawnSample()}/manifest`, { as: 'admin' });
    const manifest = await (await fetch(String(links.body.json))).json();
    return stack.api('POST', '/sample-verifications', { as: 'admin', body: manifest });
  },
  getSampleSize: 'no case data',
  nominate: { as: 'isva', call: async () => nominateOne() },
  listNominations: {
    as: 'isva',
    call: async () => {
      await nominateOne();
      return stack.api('GET', '/nominations', { as: 'isva' });
    },
  },
  getNomination: {
    as: 'isva',
    call: async () =>
      stack.api('GET', `/nominations/${(await nominateOne()).body.nominationId}`, { as: 'isva' }),
  },
  updateNomination: {
    as: 'isva',
    call: async () =>
      stack.api('PUT', `/nominations/${(await nominateOne(23)).body.nominationId}`, {
        as: 'isva',
        body: { victimWishes: 'to be told of the outcome first' },
      }),
  },
  withdrawNomination: {
    as: 'isva',
    call: async () =>
      stack.api('POST', `/nominations/${(await nominateOne(24)).body.nominationId}/withdrawal`, {
        as: 'isva',
        body: { reason: 'the victim asked for it to be withdrawn' },
      }),
  },
  listNominationCandidates: {
    as: 'isva',
    call: async () => {
      const eligible = (await stack.eligibleDecisions(importId))[25];
      const rows = parse(syntheticForceExport({ count: 60, seed: 5 }), { columns: true }) as Record<
        string,
        string
      >[];
      const crimeReference = String(rows[(eligible?.provenance.sourceLine ?? 2) - 2]?.crime_reference);
      return stack.api(
        'GET',
        `/nominations/candidates?crimeReference=${encodeURIComponent(crimeReference)}`,
        { as: 'isva' },
      );
    },
  },
  listWaitingCases: {
    as: 'chair',
    call: async () => {
      await nominateOne(20);
      return stack.api('GET', '/cases', { as: 'chair' });
    },
  },
  listSittings: { as: 'chair', call: () => stack.api('GET', '/sittings', { as: 'chair' }) },
  getSitting: { as: 'chair', call: () => stack.api('GET', '/sittings/sit_2027q1', { as: 'chair' }) },
  listPanels: { as: 'chair', call: () => stack.api('GET', '/panels', { as: 'chair' }) },
  addToAgenda: {
    as: 'chair',
    call: async () => {
      const nominated = await nominateOne();
      return stack.api('POST', '/sittings/sit_2027q1/agenda', {
        as: 'chair',
        body: { caseIds: [nominated.body.caseId] },
      });
    },
  },
  takeOffAgenda: {
    as: 'chair',
    call: async () => {
      const caseId = String((await nominateOne(21)).body.caseId);
      await stack.api('POST', '/sittings/sit_2027q1/agenda', { as: 'chair', body: { caseIds: [caseId] } });
      return stack.api('POST', '/sittings/sit_2027q1/agenda/removals', {
        as: 'chair',
        body: { caseId, reason: 'the victim asked for time to decide' },
      });
    },
  },
  cancelSitting: {
    as: 'chair',
    call: async () => {
      await stack.api('PUT', '/sittings/sit_2098q1', {
        as: 'chair',
        body: { panelId: 'pan_rsp', date: '2098-01-20', findingsDeadline: '2098-01-13' },
      });
      return stack.api('POST', '/sittings/sit_2098q1/cancellation', {
        as: 'chair',
        body: { reason: 'the panel merged this quarter with the next' },
      });
    },
  },
  routeSitting: {
    as: 'chair',
    call: () => stack.api('POST', '/sittings/sit_2027q1/routing', { as: 'chair' }),
  },
  getSittingRouting: {
    as: 'chair',
    call: async () => {
      await routedAgenda();
      return stack.api('GET', '/sittings/sit_2027q1/routing', { as: 'chair' });
    },
  },
  getSittingProgress: {
    as: 'chair',
    call: () => stack.api('GET', '/sittings/sit_2027q1/progress', { as: 'chair' }),
  },
  listAssignments: {
    as: 'panel',
    call: async () => {
      await routedAgenda();
      return stack.api('GET', '/assignments', { as: 'panel' });
    },
  },
  declineAssignment: {
    // Another reviewer than the persona `panel`, whose case the finding routes below go on with.
    as: 'panel2',
    call: async () => {
      await routedAgenda();
      const mine = await stack.api('GET', '/assignments', { as: 'panel2' });
      const [assignment] = mine.body.items as { assignmentId: string }[];
      return stack.api('POST', `/assignments/${assignment?.assignmentId}/decline`, {
        as: 'panel2',
        body: { conflict: 'a conflict' },
      });
    },
  },
  reassignReviewer: {
    as: 'chair',
    call: async () => {
      await routedAgenda();
      return stack.api('POST', '/sittings/sit_2027q1/reassignments', {
        as: 'chair',
        body: { fromReviewerId: 'rev_eli', reason: 'left the panel' },
      });
    },
  },
  moveAssignmentQuestionSet: {
    as: 'chair',
    call: async () => {
      // The panel member's case is on the current version already: the move is answered as made.
      const { view } = await panelCase();
      return stack.api('POST', `/assignments/${view.assignment.assignmentId}/question-set`, {
        as: 'chair',
        body: { reason: 'the new questions apply to this case' },
      });
    },
  },
  assignNamedReviewer: {
    as: 'chair',
    call: async () => {
      await stack.api('PUT', '/sittings/sit_2098q2', {
        as: 'chair',
        body: { panelId: 'pan_rsp', date: '2098-04-20', findingsDeadline: '2098-04-13' },
      });
      const caseId = String((await nominateOne(22)).body.caseId);
      await stack.api('POST', '/sittings/sit_2098q2/agenda', { as: 'chair', body: { caseIds: [caseId] } });
      return stack.api('POST', `/cases/${caseId}/assignments`, {
        as: 'chair',
        body: { reviewerId: 'rev_harper', reason: 'has reviewed the earlier decision on this crime' },
      });
    },
  },
  listReviewers: () => stack.api('GET', '/reviewers', { as: 'admin' }),
  putReviewer: () =>
    stack.api('PUT', '/reviewers/rev_audit', {
      as: 'admin',
      body: {
        name: 'Audit Reviewer',
        agency: 'academic',
        capacityPerSitting: 2,
        standingConflicts: [],
        active: false,
      },
    }),
  putPanel: () =>
    stack.api('PUT', '/panels/pan_audit', {
      as: 'admin',
      body: { name: 'Audit panel', chairSubject: 'demo-chair', memberReviewerIds: ['rev_morgan'] },
    }),
  putSitting: {
    as: 'chair',
    call: () =>
      stack.api('PUT', '/sittings/sit_2027q3', {
        as: 'chair',
        body: {
          panelId: 'pan_rsp',
          date: '2097-07-21',
          findingsDeadline: '2097-07-14',
          maxCases: 10,
        },
      }),
  },
  listNotifications: 'no case data',
  getAuditTrailOfRecord: () => stack.api('GET', `/audit/records/import/${importId}`, { as: 'admin' }),
  getAuditTrailOfActor: () => stack.api('GET', '/audit/actors/demo-police', { as: 'admin' }),
  getCurrentQuestionSet: 'no case data',
  getQuestionSet: 'no case data',
  publishQuestionSet: async () => {
    const current = await stack.api('GET', '/question-sets/current', { as: 'admin' });
    return stack.api('POST', '/question-sets', {
      as: 'admin',
      body: { title: 'Terms of reference (reworded)', questions: current.body.questions },
    });
  },
  getAssignedCase: {
    as: 'panel',
    call: async () => {
      const { view } = await panelCase();
      return stack.api('GET', `/assignments/${view.assignment.assignmentId}/case`, { as: 'panel' });
    },
  },
  submitFinding: {
    as: 'panel',
    call: async () => {
      const { view } = await panelCase();
      return stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings`, {
        as: 'panel',
        body: {
          ...findingFor(view, 'consistent'),
          recommendations: [
            { text: 'Brief officers on bail conditions', owner: 'Head of PPU', dueDate: '2030-06-30' },
          ],
        },
      });
    },
  },
  amendFinding: {
    as: 'panel',
    call: async () => {
      const { view } = await panelCase();
      return stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings/amendments`, {
        as: 'panel',
        body: {
          ...findingFor(view, 'consistent'),
          recommendations: [
            { text: 'Brief officers on bail conditions', owner: 'Head of PPU', dueDate: '2030-06-30' },
          ],
          amendsVersion: 1,
          reason: 'a typing error in the rationale',
        },
      });
    },
  },
  listCaseFindings: {
    as: 'panel',
    call: async () => stack.api('GET', `/cases/${(await panelCase()).caseId}/findings`, { as: 'panel' }),
  },
  moderateCase: {
    as: 'chair',
    call: async () =>
      stack.api('POST', `/cases/${await disputedCase()}/moderation`, {
        as: 'chair',
        body: { verdict: 'appropriate_with_observations', reason: 'the chair weighed both findings' },
      }),
  },
  createCaseFileUpload: async () =>
    stack.api('POST', `/cases/${(await panelCase()).caseId}/files`, {
      as: 'admin',
      body: { fileName: 'decision-log.pdf', contentType: 'application/pdf' },
    }),
  deleteCaseFile: async () => {
    const { caseId } = await panelCase();
    const upload = await stack.api('POST', `/cases/${caseId}/files`, {
      as: 'admin',
      body: { fileName: 'unredacted.txt', contentType: 'text/plain' },
    });
    await fetch(String(upload.body.uploadUrl), { method: 'PUT', body: 'uploaded by mistake (synthetic)' });
    return stack.api('DELETE', `/cases/${caseId}/files/unredacted.txt`, { as: 'admin' });
  },
  getCasePack: async () => stack.api('GET', `/cases/${await concludedCase()}/pack`, { as: 'admin' }),
  verifyCasePack: async () =>
    stack.api('GET', `/cases/${await concludedCase()}/pack/verification`, { as: 'admin' }),
  correctCasePack: async () =>
    stack.api('POST', `/cases/${await concludedCase()}/pack`, {
      as: 'admin',
      body: { reason: 'decision summary corrected at source' },
    }),
  getSittingPack: async () => {
    await stack.api('POST', '/sittings/sit_2027q1/reports', { as: 'admin' });
    return stack.api('GET', '/sittings/sit_2027q1/pack', { as: 'admin' });
  },
  createSittingReport: {
    as: 'chair',
    call: () => stack.api('POST', '/sittings/sit_2027q1/reports', { as: 'chair' }),
  },
  closeSitting: {
    as: 'chair',
    call: async () => {
      await stack.api('PUT', '/sittings/sit_2027q4', {
        as: 'chair',
        body: { panelId: 'pan_rsp', date: '2097-10-20', findingsDeadline: '2097-10-13' },
      });
      return stack.api('POST', '/sittings/sit_2027q4/closure', {
        as: 'chair',
        body: { earlyReason: 'closed early for the audit test' },
      });
    },
  },
  createSampleReport: {
    as: 'auditor',
    call: async () => stack.api('POST', `/samples/${await drawnSample()}/reports`, { as: 'auditor' }),
  },
  listRecommendations: () => stack.api('GET', '/recommendations', { as: 'admin' }),
  closeRecommendation: async () => {
    const recommendationId = await acceptedRecommendation();
    return stack.api('POST', `/recommendations/${recommendationId}/closure`, {
      as: 'admin',
      body: { evidence: 'Briefing delivered to all PPU officers; see training log' },
    });
  },
  decideRecommendation: async () =>
    // The same decision sent again is answered as made, and audited like the first.
    stack.api('POST', `/recommendations/${await acceptedRecommendation()}/decision`, {
      as: 'admin',
      body: { decision: 'accept' },
    }),
};

/** The concluded case's proposed recommendation, accepted by an admin. */
async function acceptedRecommendation(): Promise<string> {
  await concludedCase();
  const { items } = (await stack.api('GET', '/recommendations', { as: 'admin' })).body as {
    items: { recommendationId: string; status: string; source: { findingIds?: string[] } }[];
  };
  const proposal = items.find((item) => item.source.findingIds);
  if (!proposal) throw new Error('The concluded case proposed no recommendation');
  if (proposal.status === 'proposed') {
    await stack.api('POST', `/recommendations/${proposal.recommendationId}/decision`, {
      as: 'admin',
      body: { decision: 'accept' },
    });
  }
  return proposal.recommendationId;
}

describe('every data route', () => {
  for (const routeId of ROUTE_IDS) {
    const route: RouteDefinition = ROUTES[routeId];
    const call = CALLS[routeId];
    if (route.audit === 'none') {
      it(`${route.method} ${route.path} touches no case data`, () => expect(call).toBe('no case data'));
      continue;
    }
    it(`${route.method} ${route.path} writes a "${route.audit}" event for the caller and request`, async () => {
      expect(call).not.toBe('no case data');
      if (call === 'no case data') return;
      const as = typeof call === 'function' ? 'admin' : call.as;
      const response = await (typeof call === 'function' ? call() : call.call());
      expect(response.status).toBeLessThan(300);
      const requestId = String(response.headers.get('x-request-id'));
      const events = await eventsOfRequest(requestId);
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) {
        expect(event).toMatchObject({
          actor: `demo-${as}`,
          actorRoles: [...(DEMO_USERS.find((user) => user.username === as)?.roles ?? [])],
          action: route.audit,
          requestId,
          via: `${route.method} ${route.path}`,
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        });
      }
    });
  }
});

describe('the audit trail', () => {
  it('records what workflows did on behalf of the person who started them', async () => {
    const trail = await stack.api('GET', `/audit/records/import/${importId}`, { as: 'auditor' });
    expect(trail.status).toBe(200);
    const events = trail.body.items as Record<string, unknown>[];
    expect(events.map((event) => [event.actor, event.action, event.via])).toEqual(
      expect.arrayContaining([
        ['demo-police', 'collect', 'POST /imports'],
        ['demo-police', 'alter', 'POST /imports/{importId}/start'],
        ['demo-police', 'collect', 'import-decisions/SummariseImport'],
      ]),
    );
    const collected = events.find((event) => event.via === 'import-decisions/SummariseImport');
    expect(collected?.detail).toMatchObject({ accepted: 60, rejected: 0 });
    expect(String(collected?.requestId)).toContain(':execution:');
  });

  it('can be read by actor, and reading it is itself audited', async () => {
    const byActor = await stack.api('GET', '/audit/actors/demo-police', { as: 'auditor' });
    expect((byActor.body.items as unknown[]).length).toBeGreaterThanOrEqual(3);
    const own = await stack.api('GET', '/audit/actors/demo-auditor', { as: 'admin' });
    expect((own.body.items as Record<string, unknown>[]).map((event) => event.recordType)).toContain(
      'audit-trail',
    );
  });

  it('is closed to everyone but auditors and admins', async () => {
    for (const as of ['police', 'isva', 'panel', 'chair']) {
      expect((await stack.api('GET', `/audit/records/import/${importId}`, { as })).status).toBe(403);
    }
  });
});
