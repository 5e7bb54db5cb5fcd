/**
 * Deny by default, from the route table: every route is called by every role and with no token
 * against the running local API. A route without an entry in SAMPLE_REQUESTS does not compile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../shared/api/openapi.ts';
import { ROUTE_IDS, ROUTES, type RouteDefinition, type RouteId } from '../../shared/api/routes.ts';
import { ROLES, type Role } from '../../shared/roles.ts';
import { APP_VERSION } from '../../shared/version.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

const MATRIX_FINDING = {
  questionSetVersion: 1,
  answers: {},
  verdict: 'consistent',
  verdictRationale: 'the decision followed policy',
};

const SAMPLE_REQUESTS: Record<RouteId, { path: Record<string, string>; body?: unknown; query?: string }> = {
  getHealth: { path: {} },
  getOpenApiDocument: { path: {} },
  getMe: { path: {} },
  createImport: { path: {}, body: { format: 'force-csv', fileName: 'matrix.csv' } },
  listImports: { path: {} },
  getImport: { path: { importId: 'imp_00000000000000000000000000' } },
  startImport: { path: { importId: 'imp_00000000000000000000000000' } },
  getImportErrors: { path: { importId: 'imp_00000000000000000000000000' } },
  getDecision: { path: { decisionId: 'dec_00000000000000000000000000' } },
  searchDecisions: { path: {}, query: '?crimeReference=NOM%2F1%2F27' },
  createSample: {
    path: {},
    body: {
      filter: { decisionDateFrom: '2030-01-01', decisionDateTo: '2030-01-31' },
      design: { type: 'simple' },
      size: 5,
      label: 'matrix',
    },
  },
  listSamples: { path: {} },
  getSample: { path: { sampleId: 'smp_00000000000000000000000000' } },
  getSampleManifest: { path: { sampleId: 'smp_00000000000000000000000000' } },
  revealSampleReferences: {
    path: { sampleId: 'smp_00000000000000000000000000' },
    body: { reason: 'to pull the files of the picks for the audit' },
  },
  revealCaseReference: {
    path: { caseId: 'case_00000000000000000000000000' },
    body: { reason: 'to pull the file of the case for the audit' },
  },
  topUpSample: { path: { sampleId: 'smp_00000000000000000000000000' }, body: { additional: 3 } },
  openAuditRound: {
    path: { sampleId: 'smp_00000000000000000000000000' },
    body: { auditorReviewerIds: ['rev_alex'], reviewersPerCase: 1, findingsDeadline: '2030-01-01' },
  },
  getSampleEstimates: { path: { sampleId: 'smp_00000000000000000000000000' } },
  verifySample: {
    path: {},
    body: {
      sampleId: 'smp_00000000000000000000000000',
      filter: { decisionDateFrom: '2030-01-01', decisionDateTo: '2030-01-31' },
      design: { type: 'simple' },
      exclusions: { excludedDecisionIds: [] },
      seedCommitment: 'x',
      seed: 'y',
      algorithm: 'hmac-sha256-lowest-k/1',
      populationSize: 0,
      strata: [],
      picks: [],
    },
  },
  getSampleSize: { path: {}, query: '?confidence=0.95&margin=0.05' },
  nominate: {
    path: {},
    body: {
      decisionId: 'dec_00000000000000000000000000',
      reasonCodes: ['victim_dissatisfied'],
      victimConsent: 'consents',
      vrrStatus: 'not_requested',
    },
  },
  listNominations: { path: {} },
  getNomination: { path: { nominationId: 'nom_00000000000000000000000000' } },
  updateNomination: {
    path: { nominationId: 'nom_00000000000000000000000000' },
    body: { victimConsent: 'does_not_consent' },
  },
  withdrawNomination: {
    path: { nominationId: 'nom_00000000000000000000000000' },
    body: { reason: 'the victim no longer wants it looked at' },
  },
  listNominationCandidates: { path: {}, query: '?crimeReference=NOM%2F1%2F27' },
  listWaitingCases: { path: {} },
  listSittings: { path: {} },
  getSitting: { path: { sittingId: 'sit_none' } },
  addToAgenda: { path: { sittingId: 'sit_none' }, body: { caseIds: ['case_00000000000000000000000000'] } },
  takeOffAgenda: {
    path: { sittingId: 'sit_none' },
    body: { caseId: 'case_00000000000000000000000000', reason: 'nominated twice by mistake' },
  },
  cancelSitting: { path: { sittingId: 'sit_none' }, body: { reason: 'the venue is not available' } },
  routeSitting: { path: { sittingId: 'sit_none' } },
  getSittingRouting: { path: { sittingId: 'sit_none' } },
  getSittingProgress: { path: { sittingId: 'sit_none' } },
  listAssignments: { path: {} },
  declineAssignment: {
    path: { assignmentId: 'asg_00000000000000000000000000' },
    body: { conflict: 'a conflict' },
  },
  reassignReviewer: {
    path: { sittingId: 'sit_none' },
    body: { fromReviewerId: 'rev_none', reason: 'left the panel' },
  },
  moveAssignmentQuestionSet: {
    path: { assignmentId: 'asg_00000000000000000000000000' },
    body: { reason: 'the new questions apply to this case' },
  },
  assignNamedReviewer: {
    path: { caseId: 'case_00000000000000000000000000' },
    body: { reviewerId: 'rev_none', reason: 'knows the area and the unit well' },
  },
  listReviewers: { path: {} },
  putReviewer: {
    path: { reviewerId: 'rev_matrix' },
    body: {
      name: 'Matrix Reviewer',
      agency: 'academic',
      capacityPerSitting: 2,
      standingConflicts: [],
      active: false,
    },
  },
  listPanels: { path: {} },
  putPanel: {
    path: { panelId: 'pan_matrix' },
    body: { name: 'Matrix panel', chairSubject: 'demo-chair', memberReviewerIds: [] },
  },
  putSitting: {
    path: { sittingId: 'sit_matrix' },
    body: { panelId: 'pan_none', date: '2097-06-01', findingsDeadline: '2097-05-25' },
  },
  listNotifications: { path: {} },
  getAuditTrailOfRecord: { path: { recordType: 'import', recordId: 'imp_00000000000000000000000000' } },
  getAuditTrailOfActor: { path: { subject: 'demo-police' } },
  getCurrentQuestionSet: { path: {} },
  getQuestionSet: { path: { version: '1' } },
  publishQuestionSet: {
    path: {},
    body: {
      title: 'Matrix questions',
      questions: [{ questionId: 'matrix_question', text: 'Is this a matrix?', required: true }],
    },
  },
  getAssignedCase: { path: { assignmentId: 'asg_00000000000000000000000000' } },
  submitFinding: { path: { assignmentId: 'asg_00000000000000000000000000' }, body: MATRIX_FINDING },
  amendFinding: {
    path: { assignmentId: 'asg_00000000000000000000000000' },
    body: { ...MATRIX_FINDING, amendsVersion: 1, reason: 'a correction' },
  },
  listCaseFindings: { path: { caseId: 'case_00000000000000000000000000' } },
  moderateCase: {
    path: { caseId: 'case_00000000000000000000000000' },
    body: { verdict: 'consistent', reason: 'the panel agreed after discussion' },
  },
  createCaseFileUpload: {
    path: { caseId: 'case_00000000000000000000000000' },
    body: { fileName: 'decision-log.pdf', contentType: 'application/pdf' },
  },
  deleteCaseFile: { path: { caseId: 'case_00000000000000000000000000', fileName: 'decision-log.pdf' } },
  getCasePack: { path: { caseId: 'case_00000000000000000000000000' } },
  verifyCasePack: { path: { caseId: 'case_00000000000000000000000000' } },
  correctCasePack: { path: { caseId: 'case_00000000000000000000000000' }, body: { reason: 'a correction' } },
  getSittingPack: { path: { sittingId: 'sit_none' } },
  createSittingReport: { path: { sittingId: 'sit_none' } },
  closeSitting: { path: { sittingId: 'sit_none' } },
  createSampleReport: { path: { sampleId: 'smp_00000000000000000000000000' } },
  listRecommendations: { path: {} },
  closeRecommendation: {
    path: { recommendationId: 'rec_00000000000000000000000000' },
    body: { evidence: 'policy updated' },
  },
  decideRecommendation: {
    path: { recommendationId: 'rec_00000000000000000000000000' },
    body: { decision: 'accept' },
  },
};

/** A token for someone holding just this one role. */
const tokenWithOnly = (role: Role) => stack.runtime.tokenFor('admin', { 'cognito:groups': [role] });

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => stack?.close());

const call = (routeId: RouteId, options: { as?: string; token?: string }) => {
  const route: RouteDefinition = ROUTES[routeId];
  const sample = SAMPLE_REQUESTS[routeId];
  const path =
    route.path.replace(/\{(\w+)\}/g, (_match, name: string) => sample.path[name] ?? 'missing') +
    (sample.query ?? '');
  return stack.api(route.method, path, { ...options, ...(sample.body ? { body: sample.body } : {}) });
};

describe('the authorization matrix', () => {
  it('has a sample request for every route in the route table', () => {
    expect(Object.keys(SAMPLE_REQUESTS).sort()).toEqual([...ROUTE_IDS].sort());
  });

  for (const routeId of ROUTE_IDS) {
    const route: RouteDefinition = ROUTES[routeId];
    it(`${route.method} ${route.path}: ${route.access === 'public' ? 'open to all' : `only ${route.access.join(', ')}`}`, async () => {
      const anonymous = await call(routeId, {});
      if (route.access === 'public') expect(anonymous.status).toBe(200);
      else expect(anonymous.status).toBe(401);
      for (const role of ROLES) {
        const response = await call(routeId, { token: await tokenWithOnly(role) });
        const allowed = route.access === 'public' || route.access.includes(role);
        // Allowed through: the answer is about the request (found, missing, invalid), never about access.
        if (allowed) expect([200, 201, 202, 400, 404], `${role} should pass`).toContain(response.status);
        else expect(response.status, `${role} should be refused`).toBe(403);
      }
    });
  }
});

describe('object-level rules', () => {
  const asPolice = (subject: string) =>
    stack.runtime.tokenFor('police', { sub: subject, 'cognito:groups': ['police'] });

  it("hides one officer's import from another exactly as a missing one, and shows it to admins", async () => {
    const owner = await asPolice('demo-police');
    const other = await asPolice('demo-police-elsewhere');
    const created = await stack.api('POST', '/imports', {
      token: owner,
      body: { format: 'force-csv', fileName: 'mine.csv' },
    });
    const importId = String(created.body.importId);

    expect((await stack.api('GET', `/imports/${importId}`, { token: owner })).status).toBe(200);
    expect((await stack.api('GET', `/imports/${importId}`, { as: 'admin' })).status).toBe(200);

    const hidden = await stack.api('GET', `/imports/${importId}`, { token: other });
    const missingId = 'imp_zzzzzzzzzzzzzzzzzzzzzzzzzz';
    const missing = await stack.api('GET', `/imports/${missingId}`, { token: other });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    const shape = (body: Record<string, unknown>, id: string) => ({
      ...body,
      message: String(body.message).replace(id, '<id>'),
      requestId: '<request>',
    });
    expect(shape(hidden.body, importId)).toEqual(shape(missing.body, missingId));

    expect((await stack.api('POST', `/imports/${importId}/start`, { token: other })).status).toBe(404);
    const othersList = await stack.api('GET', '/imports', { token: other });
    expect((othersList.body.items as { importId: string }[]).map((i) => i.importId)).not.toContain(importId);
    const ownList = await stack.api('GET', '/imports', { token: owner });
    expect((ownList.body.items as { importId: string }[]).map((i) => i.importId)).toContain(importId);
  });
});

describe('tokens', () => {
  it('refuses expired, foreign-audience, foreign-issuer and forged tokens with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const overrides of [
      { exp: now - 60, iat: now - 3660 },
      { aud: 'another-app' },
      { iss: 'https://login.example.org' },
    ]) {
      const token = await stack.runtime.tokenFor('admin', overrides);
      expect((await stack.api('GET', '/me', { token })).status).toBe(401);
    }
    const valid = await stack.runtime.tokenFor('admin');
    const [head, payload] = valid.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()),
        'cognito:groups': ['admin', 'auditor'],
      }),
    ).toString('base64url');
    const forged = `${head}.${forgedPayload}.${valid.split('.')[2]}`;
    expect((await stack.api('GET', '/me', { token: forged })).status).toBe(401);
  });

  it('refuses a valid token without any role with 403', async () => {
    const token = await stack.runtime.tokenFor('admin', { 'cognito:groups': undefined });
    expect((await stack.api('GET', '/me', { token })).status).toBe(403);
  });

  it('tells the caller who they are, from the verified claims', async () => {
    const me = await stack.api('GET', '/me', { as: 'chair' });
    expect(me.body).toEqual({
      subject: 'demo-chair',
      name: 'Charlie Chair',
      roles: ['panel_chair', 'panel_member'],
    });
  });
});

describe('responses', () => {
  it('carry security headers and a request id', async () => {
    const response = await stack.api('GET', '/health');
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('refuse a body larger than the route accepts with 413, before reading it', async () => {
    const response = await stack.api('POST', '/imports', {
      as: 'admin',
      body: { format: 'force-csv', fileName: 'x'.repeat(70_000) },
    });
    expect(response.status).toBe(413);
    expect(response.body.error).toBe('PayloadTooLargeError');
  });

  it('allow CORS from the configured UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.runtime.apiUrl}/imports`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight('https://scrutineer.example.police.uk');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://scrutineer.example.police.uk');
    const refused = await preflight('https://evil.example.com');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('name the field and the reason for bad input', async () => {
    const response = await stack.api('POST', '/imports', {
      as: 'admin',
      body: { format: 'xlsx', fileName: '../etc' },
    });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      { field: 'body.format', reason: expect.stringContaining('force-csv') },
      { field: 'body.fileName', reason: expect.stringContaining('without folders') },
    ]);
    const badId = await stack.api('GET', '/imports/not-an-id', { as: 'admin' });
    expect(badId.status).toBe(400);
    expect(badId.body.issues).toEqual([{ field: 'path.importId', reason: expect.any(String) }]);
  });

  it('say plainly what a number or a choice must be, with the value received in the query', async () => {
    const size = await stack.api('GET', '/sample-size?confidence=abc&margin=0.05&expected=lots', {
      as: 'auditor',
    });
    expect(size.status).toBe(400);
    expect(size.body.issues).toEqual([
      { field: 'query.confidence', reason: 'must be a number (received "abc")' },
      { field: 'query.expected', reason: 'must be a number (received "lots")' },
    ]);
    expect(JSON.stringify(size.body)).not.toContain('NaN');
  });

  it('refuse query parameters a route does not take, naming them', async () => {
    const response = await stack.api('GET', '/assignments?status=bogus', { as: 'panel' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: 'ValidationError',
      issues: [{ field: 'query.status', reason: expect.stringContaining('is not a field of this request') }],
    });
  });

  it('answer an unknown route or method in the same error shape as every refusal', async () => {
    const unknown = await stack.api('GET', '/no/such/thing');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: 'NotFoundError',
      message: 'No route matches GET /no/such/thing; the routes are listed at /openapi.json',
      requestId: expect.any(String),
    });
    const wrongMethod = await stack.api('DELETE', '/imports', { as: 'admin' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
    expect(wrongMethod.body).toMatchObject({
      error: 'MethodNotAllowedError',
      message: '/imports takes GET, POST, not DELETE',
    });
  });

  it('give the question set with the answer and verdict scales its summary promises', async () => {
    const current = await stack.api('GET', '/question-sets/current', { as: 'panel' });
    expect(current.status).toBe(200);
    expect(current.body.scales).toMatchObject({
      answers: expect.arrayContaining([{ code: 'not_applicable', label: 'Not applicable' }]),
      verdicts: expect.arrayContaining([{ code: 'consistent', label: 'Consistent with policy' }]),
    });
  });

  it('serve the OpenAPI document generated from the route table', async () => {
    const response = await stack.api('GET', '/openapi.json');
    expect(response.body).toEqual(buildOpenApiDocument(APP_VERSION));
    const operations = Object.values(
      response.body.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap((methods) => Object.values(methods).map((operation) => operation.operationId));
    expect(operations.sort()).toEqual([...ROUTE_IDS].sort());
  });
});
