/**
 * The API's route table: the single list of routes, who may call each, and the schemas of what
 * goes in and out. The CDK app builds the HTTP API from it, the handlers enforce it
 * (shared/http/api-handler.ts), the OpenAPI document is generated from it, and the authorization
 * tests enumerate it. A route that is not here does not exist; a role that is not listed is refused.
 */
import { z } from 'zod';
import { AUDIT_RECORD_TYPES, type AuditAction, AuditEventSchema } from '../audit/audit-event.ts';
import { WaitingListSchema, WaitingQuerySchema } from '../cases/waiting-list.ts';
import { DecisionSchema } from '../decisions/decision.ts';
import {
  CreateImportRequestSchema,
  CreateImportResponseSchema,
  ImportErrorReportLinkSchema,
  ImportIdParamsSchema,
  ImportRecordSchema,
} from '../imports/import-record.ts';
import {
  NominateRequestSchema,
  NominationCandidateSchema,
  NominationIdParamsSchema,
  NominationViewSchema,
  UpdateNominationRequestSchema,
  WithdrawNominationRequestSchema,
} from '../nominations/nomination.ts';
import { NotificationSchema } from '../notifications/notifications.ts';
import { AuditRoundRequestSchema } from '../panels/audit-rounds.ts';
import { PanelSchema, ReviewerSchema, SittingPlanSchema, SittingSchema } from '../panels/panel.ts';
import { RecommendationDecisionSchema, RecommendationSchema } from '../recommendations/recommendation.ts';
import { AmendFindingRequestSchema, FindingRequestSchema, FindingSchema } from '../review/finding.ts';
import { ModerationRequestSchema, ModerationSchema } from '../review/moderation.ts';
import {
  PublishQuestionSetRequestSchema,
  QuestionSetSchema,
  QuestionSetWithScalesSchema,
} from '../review/question-set.ts';
import { ROLES, type Role } from '../roles.ts';
import { AssignmentSchema } from '../routing/assignment-store.ts';
import { SampleEstimatesSchema } from '../sampling/estimates.ts';
import {
  CreateSampleRequestSchema,
  SampleRecordSchema,
  SampleSizeQuerySchema,
  TopUpRequestSchema,
} from '../sampling/sample.ts';
import { ManifestSchema } from '../sampling/verify.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  /** `public` routes need no token; every other route lists the roles allowed to call it. */
  readonly access: 'public' | readonly Role[];
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly successStatus?: 200 | 201 | 202;
  readonly response: z.ZodType;
  /**
   * What the route does to case data, for the audit log (DPA 2018 s.62): every call that succeeds
   * writes at least one event with this action. `none` for routes that touch no case data.
   */
  readonly audit: AuditAction | 'none';
  /** Largest accepted request body; 64 KiB unless said otherwise. */
  readonly maxBodyBytes?: number;
  /** The handler's time limit; 10 s unless said otherwise (API Gateway allows up to 29 s). */
  readonly timeoutSeconds?: number;
}

const HealthSchema = z.object({ status: z.literal('ok'), version: z.string() });
const MeSchema = z.object({
  subject: z.string(),
  name: z.string().optional(),
  roles: z.array(z.enum(ROLES)),
});
const OpenApiDocumentSchema = z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document');
const DecisionIdParamsSchema = z.object({
  decisionId: z.string().regex(/^dec_[0-9a-z]{26}$/, 'a decision id such as dec_…'),
});
const ImportStartedSchema = ImportRecordSchema.pick({ importId: true, status: true });
const ImportListSchema = z.object({ items: z.array(ImportRecordSchema) });

const AuditRecordParamsSchema = z.object({
  recordType: z.enum(AUDIT_RECORD_TYPES),
  recordId: z.string().min(1).max(100),
});
const AuditActorParamsSchema = z.object({ subject: z.string().min(1).max(200) });
const AuditEventListSchema = z.object({ items: z.array(AuditEventSchema) });

const SampleIdParamsSchema = z.object({
  sampleId: z.string().regex(/^smp_[0-9a-z]{26}$/, 'a sample id such as smp_…'),
});
const SampleViewSchema = SampleRecordSchema.extend({
  seed: z.string().optional().describe('Revealed once the sample has been drawn'),
});
const SampleListSchema = z.object({ items: z.array(SampleRecordSchema) });
const ManifestLinksSchema = z.object({
  json: z.url(),
  csv: z.url(),
  population: z.url().optional().describe('The population listing the sample was drawn from (CSV)'),
  expiresAt: z.iso.datetime(),
});
const SampleSizeSchema = z.object({
  n0: z.number().describe('Size for an infinite population'),
  n: z.number().int().describe('Size to draw, after the finite population correction'),
  formula: z.string(),
});

const VerificationSchema = z.object({
  sampleId: z.string(),
  matches: z.boolean(),
  checks: z.array(z.object({ check: z.string(), ok: z.boolean(), detail: z.string().optional() })),
  missingFromManifest: z.array(z.string()),
  notInRederivation: z.array(z.string()),
  populationNow: z
    .object({
      unchanged: z.boolean(),
      strata: z.array(
        z.object({
          key: z.string(),
          drawnFrom: z.number().int(),
          now: z.number().int(),
          sameDecisions: z.boolean(),
        }),
      ),
    })
    .optional()
    .describe('The population index now against the population of record; not part of matches'),
});

const SittingIdParamsSchema = z.object({
  sittingId: z.string().regex(/^sit_[a-z0-9_]{1,40}$/, 'a sitting id such as sit_2027q1'),
});
const AuditRoundOpenedSchema = z.object({
  sitting: SittingSchema,
  panel: PanelSchema.describe('The audit team: its lead (chairSubject) and auditors'),
  added: z.array(z.string()).describe('The cases this call put on the round'),
  routing: z.object({ execution: z.string(), cases: z.number().int() }),
});
const RevealRequestSchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(10, 'at least 10 characters: say why the references are needed, for the record')
      .max(500),
  })
  .strict();
const RevealedReferenceSchema = z.object({
  decisionId: z.string(),
  caseId: z.string().optional(),
  crimeReference: z
    .string()
    .optional()
    .describe('As the force writes it; absent for a decision imported before references were sealed'),
});
const RecommendationIdParamsSchema = z.object({
  recommendationId: z.string().regex(/^rec_[0-9a-z]{26}$/, 'a recommendation id such as rec_…'),
});
const CaseIdSchema = z.string().regex(/^case_[0-9a-z]{26}$/, 'a case id such as case_…');
const ReasonSchema = z.string().trim().min(10, 'at least 10 characters: say why, for the record').max(500);
const AgendaChangeSchema = z.object({
  added: z.array(z.string()),
  alreadyOnAgenda: z.array(z.string()),
  deferred: z.array(z.object({ caseId: z.string(), reason: z.string() })),
  agenda: z.array(z.string()),
});

const AssignmentIdParamsSchema = z.object({
  assignmentId: z.string().regex(/^asg_[0-9a-z]{26}$/, 'an assignment id such as asg_…'),
});
const CaseIdParamsSchema = z.object({
  caseId: CaseIdSchema,
});
const CaseFileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$/, 'a plain file name such as decision-log.pdf');
const PackVersionQuerySchema = z.object({
  version: z.coerce.number().int().positive('a pack version such as 1').optional(),
});
const PackLinksSchema = z.object({
  subject: z.object({ kind: z.enum(['case', 'sitting']), id: z.string() }),
  version: z.number().int(),
  manifestSha256: z.string(),
  createdAt: z.iso.datetime(),
  versions: z.array(
    z.object({
      version: z.number().int(),
      manifestSha256: z.string(),
      createdAt: z.iso.datetime(),
      reason: z.string().optional(),
    }),
  ),
  manifest: z.object({ url: z.url() }),
  files: z.array(z.object({ name: z.string(), url: z.url() })),
  expiresAt: z.iso.datetime(),
});
const PackVerificationSchema = z
  .object({
    subject: z.object({ kind: z.string(), id: z.string() }),
    version: z.number().int(),
    ok: z.boolean(),
  })
  .loose()
  .describe('See shared/evidence/manifest.ts PackVerification');
const ReportLinksSchema = z.object({
  reportId: z.string(),
  generatedAt: z.iso.datetime(),
  files: z.object({ json: z.url(), csv: z.url(), html: z.url() }),
  expiresAt: z.iso.datetime(),
  pack: z.object({ version: z.number().int(), manifestSha256: z.string() }).optional(),
});
const QuestionSetVersionParamsSchema = z.object({
  version: z.coerce.number().int().positive('a version number such as 1'),
});

const everyone: readonly Role[] = ROLES;
const questionReaders: readonly Role[] = ['panel_member', 'panel_chair', 'admin', 'auditor'];
const packReaders: readonly Role[] = ['auditor', 'admin', 'panel_chair'];
const recommendationReaders: readonly Role[] = ['panel_chair', 'admin', 'auditor'];
const nominators: readonly Role[] = ['isva', 'cps', 'police'];
const auditReaders: readonly Role[] = ['auditor', 'admin'];
const samplers: readonly Role[] = ['auditor'];
const sampleReaders: readonly Role[] = ['auditor', 'admin'];
const importers: readonly Role[] = ['admin', 'police'];

export const ROUTES = {
  getHealth: {
    method: 'GET',
    path: '/health',
    summary: 'Liveness check',
    access: 'public',
    response: HealthSchema,
    audit: 'none',
  },
  getOpenApiDocument: {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API, described as OpenAPI 3.1',
    access: 'public',
    response: OpenApiDocumentSchema,
    audit: 'none',
  },
  getMe: {
    method: 'GET',
    path: '/me',
    summary:
      'The signed-in person and their roles; calling it on sign-in makes the person known to Scrutineer (so an admin can name them chair)',
    access: everyone,
    response: MeSchema,
    audit: 'none',
  },
  createImport: {
    method: 'POST',
    path: '/imports',
    summary: 'Register a decision export and get a presigned URL to upload it to',
    access: importers,
    body: CreateImportRequestSchema,
    successStatus: 201,
    response: CreateImportResponseSchema,
    audit: 'collect',
  },
  listImports: {
    method: 'GET',
    path: '/imports',
    summary: 'Imports, newest first',
    access: importers,
    response: ImportListSchema,
    audit: 'consult',
  },
  getImport: {
    method: 'GET',
    path: '/imports/{importId}',
    summary: 'One import with its status and counts',
    access: importers,
    params: ImportIdParamsSchema,
    response: ImportRecordSchema,
    audit: 'consult',
  },
  startImport: {
    method: 'POST',
    path: '/imports/{importId}/start',
    summary: 'Start importing an uploaded export',
    access: importers,
    params: ImportIdParamsSchema,
    successStatus: 202,
    response: ImportStartedSchema,
    audit: 'alter',
  },
  getImportErrors: {
    method: 'GET',
    path: '/imports/{importId}/errors',
    summary: "A short-lived link to the import's per-line error report",
    access: importers,
    params: ImportIdParamsSchema,
    response: ImportErrorReportLinkSchema,
    audit: 'disclose',
  },
  getDecision: {
    method: 'GET',
    path: '/decisions/{decisionId}',
    summary: 'One imported decision',
    access: ['admin', 'auditor'],
    params: DecisionIdParamsSchema,
    response: DecisionSchema,
    audit: 'consult',
  },
  searchDecisions: {
    method: 'GET',
    path: '/decisions',
    summary:
      'The decisions on one crime, found by its crime reference as the force writes it (pseudonymised with the import key to match)',
    access: ['admin', 'auditor'],
    query: z.object({
      crimeReference: z.string().trim().min(1).max(64).describe('The crime reference as the force writes it'),
    }),
    response: z.object({ items: z.array(DecisionSchema) }),
    audit: 'consult',
  },
  createSample: {
    method: 'POST',
    path: '/samples',
    summary: 'Request a dip sample: the seed is committed now, the draw runs as a workflow',
    access: samplers,
    body: CreateSampleRequestSchema,
    successStatus: 201,
    response: SampleViewSchema,
    audit: 'collect',
  },
  listSamples: {
    method: 'GET',
    path: '/samples',
    summary: 'Dip samples, newest first',
    access: sampleReaders,
    response: SampleListSchema,
    audit: 'consult',
  },
  getSample: {
    method: 'GET',
    path: '/samples/{sampleId}',
    summary: 'One dip sample: status, population and strata, and its seed once drawn',
    access: sampleReaders,
    params: SampleIdParamsSchema,
    response: SampleViewSchema,
    audit: 'consult',
  },
  getSampleManifest: {
    method: 'GET',
    path: '/samples/{sampleId}/manifest',
    summary: "Short-lived links to the sample's manifest (JSON and CSV)",
    access: sampleReaders,
    params: SampleIdParamsSchema,
    response: ManifestLinksSchema,
    audit: 'disclose',
  },
  revealSampleReferences: {
    method: 'POST',
    path: '/samples/{sampleId}/reveal',
    summary:
      "The crime references, as the force writes them, behind every pick of a sample, with a reason; each reveal is a disclose event in every case's trail",
    access: ['auditor', 'admin'],
    params: SampleIdParamsSchema,
    body: RevealRequestSchema,
    response: z.object({ sampleId: z.string(), items: z.array(RevealedReferenceSchema) }),
    audit: 'disclose',
  },
  revealCaseReference: {
    method: 'POST',
    path: '/cases/{caseId}/reveal',
    summary:
      "The crime reference, as the force writes it, behind one case's decision, with a reason; the reveal is a disclose event in the case's trail",
    access: ['auditor', 'admin'],
    params: CaseIdParamsSchema,
    body: RevealRequestSchema,
    response: RevealedReferenceSchema,
    audit: 'disclose',
  },
  topUpSample: {
    method: 'POST',
    path: '/samples/{sampleId}/top-ups',
    summary: 'Draw more from a drawn sample with the same seed, without changing what was drawn',
    access: samplers,
    params: SampleIdParamsSchema,
    body: TopUpRequestSchema,
    successStatus: 201,
    response: SampleViewSchema,
    audit: 'collect',
  },
  openAuditRound: {
    method: 'POST',
    path: '/samples/{sampleId}/review-rounds',
    summary:
      "Open an audit review round of the sample's waiting cases, led by you, and route them to the auditors named; again, to add cases that came back to waiting",
    access: ['auditor'],
    params: SampleIdParamsSchema,
    body: AuditRoundRequestSchema,
    successStatus: 201,
    response: AuditRoundOpenedSchema,
    audit: 'alter',
  },
  getSampleEstimates: {
    method: 'GET',
    path: '/samples/{sampleId}/estimates',
    summary:
      'Rate of non-compliance per stratum, and overall weighted by stratum size, with 95% intervals and their method',
    access: sampleReaders,
    params: SampleIdParamsSchema,
    response: SampleEstimatesSchema,
    audit: 'consult',
  },
  verifySample: {
    method: 'POST',
    path: '/sample-verifications',
    summary: 'Re-derive a sample from its manifest and the population, and say what differs',
    access: sampleReaders,
    body: ManifestSchema,
    maxBodyBytes: 5 * 1024 * 1024,
    timeoutSeconds: 29,
    response: VerificationSchema,
    audit: 'consult',
  },
  getSampleSize: {
    method: 'GET',
    path: '/sample-size',
    summary: 'Sample size for a confidence level and margin of error, with the finite population correction',
    access: sampleReaders,
    query: SampleSizeQuerySchema,
    response: SampleSizeSchema,
    audit: 'none',
  },
  nominate: {
    method: 'POST',
    path: '/nominations',
    summary: 'Nominate a decision for the Rape Scrutiny Panel; eligibility is checked and explained',
    access: nominators,
    body: NominateRequestSchema,
    successStatus: 201,
    response: NominationViewSchema,
    audit: 'collect',
  },
  listNominations: {
    method: 'GET',
    path: '/nominations',
    summary: 'Your own nominations and where each stands',
    access: nominators,
    response: z.object({ items: z.array(NominationViewSchema) }),
    audit: 'consult',
  },
  getNomination: {
    method: 'GET',
    path: '/nominations/{nominationId}',
    summary:
      'One of your own nominations: where its case stands, the outcome once concluded, and every version of it',
    access: nominators,
    params: NominationIdParamsSchema,
    response: NominationViewSchema,
    audit: 'consult',
  },
  updateNomination: {
    method: 'PUT',
    path: '/nominations/{nominationId}',
    summary:
      "Change your nomination (the victim's consent or wishes, VRR status, reasons, text): a new version, the earlier ones kept; a change to does_not_consent tells the chair at once",
    access: nominators,
    params: NominationIdParamsSchema,
    body: UpdateNominationRequestSchema,
    response: NominationViewSchema,
    audit: 'alter',
  },
  withdrawNomination: {
    method: 'POST',
    path: '/nominations/{nominationId}/withdrawal',
    summary:
      'Withdraw your nomination with a reason; its case is withdrawn too when no other nomination holds it and no reviewer has made a finding',
    access: nominators,
    params: NominationIdParamsSchema,
    body: WithdrawNominationRequestSchema,
    response: NominationViewSchema.extend({
      case: z.object({
        caseId: z.string(),
        outcome: z.enum(['withdrawn', 'kept']),
        reason: z.string().optional().describe('Why the case stays'),
      }),
    }),
    audit: 'alter',
  },
  listNominationCandidates: {
    method: 'GET',
    path: '/nominations/candidates',
    summary:
      'The NFA and filing decisions on a crime, by its crime reference, described for choosing one to nominate (deciding body, month, type, outcome; never a summary or a name)',
    access: nominators,
    query: z.object({
      crimeReference: z.string().trim().min(1).max(64).describe('The crime reference as the force writes it'),
    }),
    response: z.object({ items: z.array(NominationCandidateSchema) }),
    audit: 'consult',
  },
  listWaitingCases: {
    method: 'GET',
    path: '/cases',
    summary:
      "Cases waiting for an agenda (open and on no sitting, or carried over), oldest first: where each came from, its offence and decision, the victim's consent and how long it has waited; filtered and paged",
    access: ['panel_chair', 'admin'],
    query: WaitingQuerySchema,
    response: WaitingListSchema,
    audit: 'consult',
  },
  listSittings: {
    method: 'GET',
    path: '/sittings',
    summary: 'Sittings of the panels you chair and the audit rounds you lead (all, for admins)',
    access: ['panel_chair', 'admin', 'auditor'],
    response: z.object({ items: z.array(SittingSchema) }),
    audit: 'consult',
  },
  getSitting: {
    method: 'GET',
    path: '/sittings/{sittingId}',
    summary:
      'One sitting: its date, deadline, capacity, lifecycle status and agenda (its chair or audit lead, or an admin)',
    access: ['panel_chair', 'admin', 'auditor'],
    params: SittingIdParamsSchema,
    response: SittingSchema,
    audit: 'consult',
  },
  addToAgenda: {
    method: 'POST',
    path: '/sittings/{sittingId}/agenda',
    summary: "Put cases on a sitting's agenda, within its capacity; what does not fit waits",
    access: ['panel_chair'],
    params: SittingIdParamsSchema,
    body: z.object({
      caseIds: z.array(CaseIdSchema).min(1).max(100),
    }),
    response: AgendaChangeSchema,
    audit: 'alter',
  },
  takeOffAgenda: {
    method: 'POST',
    path: '/sittings/{sittingId}/agenda/removals',
    summary:
      "Take a case off a sitting's agenda, with a reason, before any finding: its assignments are withdrawn and it waits for another agenda; the case's history keeps who, when and why",
    access: ['panel_chair', 'admin', 'auditor'],
    params: SittingIdParamsSchema,
    body: z
      .object({
        caseId: CaseIdSchema,
        reason: ReasonSchema.describe('Why the case leaves the agenda; kept in its history'),
      })
      .strict(),
    response: z.object({
      caseId: z.string(),
      sittingId: z.string(),
      status: z.literal('OPEN'),
      withdrawnFrom: z.array(z.string()).describe('Reviewers whose assignments were withdrawn'),
    }),
    audit: 'alter',
  },
  cancelSitting: {
    method: 'POST',
    path: '/sittings/{sittingId}/cancellation',
    summary:
      'Cancel a planned sitting that has no findings: every case on its agenda goes back to wait for another, and the sitting keeps who cancelled it, when and why',
    access: ['panel_chair', 'admin', 'auditor'],
    params: SittingIdParamsSchema,
    body: z.object({ reason: ReasonSchema.describe('Why the sitting is cancelled') }).strict(),
    response: SittingSchema,
    audit: 'alter',
  },
  routeSitting: {
    method: 'POST',
    path: '/sittings/{sittingId}/routing',
    summary: "Route the sitting's waiting cases to reviewers",
    access: ['panel_chair', 'auditor'],
    params: SittingIdParamsSchema,
    successStatus: 202,
    response: z.object({ sittingId: z.string(), execution: z.string(), cases: z.number().int() }),
    audit: 'alter',
  },
  getSittingRouting: {
    method: 'GET',
    path: '/sittings/{sittingId}/routing',
    summary: 'Why each case on the agenda went to whom: picks with reasons, exclusions with rules',
    access: ['panel_chair', 'admin', 'auditor'],
    params: SittingIdParamsSchema,
    response: z.object({
      sittingId: z.string(),
      cases: z.array(
        z.record(z.string(), z.unknown()).describe('See shared/panels/agenda.ts routingOfSitting'),
      ),
    }),
    audit: 'consult',
  },
  getSittingProgress: {
    method: 'GET',
    path: '/sittings/{sittingId}/progress',
    summary:
      'Where each case on the agenda stands: status, findings submitted, verdict once concluded; what awaits moderation',
    access: ['panel_chair', 'admin', 'auditor'],
    params: SittingIdParamsSchema,
    response: z.object({
      sittingId: z.string(),
      findingsDeadline: z.iso.date(),
      awaitingModeration: z.number().int(),
      concluded: z.number().int(),
      carriedOver: z.number().int(),
      cases: z.array(
        z.object({
          caseId: z.string(),
          origin: z.enum(['dip-sample', 'nomination']),
          status: z.string(),
          reviewers: z.number().int(),
          submitted: z.number().int(),
          verdict: z.string().optional(),
          concludedBy: z.enum(['agreement', 'moderation']).optional(),
        }),
      ),
    }),
    audit: 'consult',
  },
  listAssignments: {
    method: 'GET',
    path: '/assignments',
    summary: 'The cases assigned to you',
    access: ['panel_member', 'auditor'],
    response: z.object({ items: z.array(AssignmentSchema) }),
    audit: 'consult',
  },
  declineAssignment: {
    method: 'POST',
    path: '/assignments/{assignmentId}/decline',
    summary: 'Decline an assigned case with a conflict declaration; it is routed to someone else',
    access: ['panel_member', 'auditor'],
    params: z.object({
      assignmentId: z.string().regex(/^asg_[0-9a-z]{26}$/, 'an assignment id such as asg_…'),
    }),
    body: z.object({ conflict: z.string().trim().min(1, 'say what the conflict is').max(2000) }),
    response: z.object({ assignment: AssignmentSchema, rerouted: z.record(z.string(), z.unknown()) }),
    audit: 'alter',
  },
  moveAssignmentQuestionSet: {
    method: 'POST',
    path: '/assignments/{assignmentId}/question-set',
    summary:
      'Move an open assignment on to the question set current now, with a reason (its chair or an admin); a submitted finding keeps the version it answered',
    access: ['panel_chair', 'admin', 'auditor'],
    params: z.object({
      assignmentId: z.string().regex(/^asg_[0-9a-z]{26}$/, 'an assignment id such as asg_…'),
    }),
    body: z
      .object({ reason: ReasonSchema.describe('Why the assignment moves on; kept in the case history') })
      .strict(),
    response: AssignmentSchema,
    audit: 'alter',
  },
  reassignReviewer: {
    method: 'POST',
    path: '/sittings/{sittingId}/reassignments',
    summary: 'Move every case of one reviewer in the sitting to others, e.g. when they leave the panel',
    access: ['panel_chair', 'auditor'],
    params: SittingIdParamsSchema,
    body: z.object({
      fromReviewerId: z.string().min(1).max(64),
      reason: z.string().trim().min(1, 'say why').max(500),
    }),
    response: z.object({
      sittingId: z.string(),
      fromReviewerId: z.string(),
      moved: z.array(
        z.object({ caseId: z.string(), to: z.array(z.string()), problem: z.string().optional() }),
      ),
    }),
    audit: 'alter',
  },
  assignNamedReviewer: {
    method: 'POST',
    path: '/cases/{caseId}/assignments',
    summary:
      "Put a reviewer the chair names on a case, with a reason: the conflict, unit, capacity and independence rules hold (a refusal names each rule), and the case's other places are picked by the rules",
    access: ['panel_chair', 'admin', 'auditor'],
    params: CaseIdParamsSchema,
    body: z
      .object({
        reviewerId: z.string().min(1).max(64),
        reason: ReasonSchema.describe('Why this reviewer; kept as the reason of the pick'),
      })
      .strict(),
    successStatus: 201,
    response: z.object({
      caseId: z.string(),
      sittingId: z.string(),
      picks: z.array(z.object({ reviewerId: z.string(), reason: z.string() })),
    }),
    audit: 'alter',
  },
  getCurrentQuestionSet: {
    method: 'GET',
    path: '/question-sets/current',
    summary: 'The terms-of-reference questions findings answer now, with the answer and verdict scales',
    access: questionReaders,
    response: QuestionSetWithScalesSchema,
    audit: 'none',
  },
  getQuestionSet: {
    method: 'GET',
    path: '/question-sets/{version}',
    summary: 'One published version of the question set, with the answer and verdict scales',
    access: questionReaders,
    params: QuestionSetVersionParamsSchema,
    response: QuestionSetWithScalesSchema,
    audit: 'none',
  },
  publishQuestionSet: {
    method: 'POST',
    path: '/question-sets',
    summary:
      'Publish the next version of the question set; published versions never change, and findings from then on answer the new one',
    access: ['admin'],
    body: PublishQuestionSetRequestSchema,
    successStatus: 201,
    response: QuestionSetSchema,
    audit: 'alter',
  },
  getAssignedCase: {
    method: 'GET',
    path: '/assignments/{assignmentId}/case',
    summary:
      'The case behind one of your assignments: redacted decision, nominations’ reasons, short-lived links to case files, your own findings',
    access: ['panel_member', 'auditor'],
    params: AssignmentIdParamsSchema,
    response: z.record(z.string(), z.unknown()).describe('See shared/review/findings.ts caseForReviewer'),
    audit: 'consult',
  },
  submitFinding: {
    method: 'POST',
    path: '/assignments/{assignmentId}/findings',
    summary: 'Submit your finding on a case assigned to you; it cannot be changed, only amended',
    access: ['panel_member', 'auditor'],
    params: AssignmentIdParamsSchema,
    body: FindingRequestSchema,
    successStatus: 201,
    response: FindingSchema,
    audit: 'collect',
    maxBodyBytes: 256 * 1024,
  },
  amendFinding: {
    method: 'POST',
    path: '/assignments/{assignmentId}/findings/amendments',
    summary: 'Amend your finding: a new version with a reason, the earlier ones kept',
    access: ['panel_member', 'auditor'],
    params: AssignmentIdParamsSchema,
    body: AmendFindingRequestSchema,
    successStatus: 201,
    response: FindingSchema,
    audit: 'alter',
    maxBodyBytes: 256 * 1024,
  },
  listCaseFindings: {
    method: 'GET',
    path: '/cases/{caseId}/findings',
    summary:
      'Every finding version on a case and its moderation (for a reviewer, only once their own finding is in)',
    access: ['panel_member', 'panel_chair', 'admin', 'auditor'],
    params: CaseIdParamsSchema,
    response: z.object({
      caseId: z.string(),
      status: z.string(),
      verdict: z.string().optional(),
      findings: z.array(FindingSchema),
      moderations: z.array(ModerationSchema).describe('One per sitting the case was moderated in'),
    }),
    audit: 'consult',
  },
  moderateCase: {
    method: 'POST',
    path: '/cases/{caseId}/moderation',
    summary: "Decide a case whose reviewers disagree, with the reason; 'cannot_conclude' carries it over",
    access: ['panel_chair', 'auditor'],
    params: CaseIdParamsSchema,
    body: ModerationRequestSchema,
    successStatus: 201,
    response: ModerationSchema,
    audit: 'alter',
  },
  createCaseFileUpload: {
    method: 'POST',
    path: '/cases/{caseId}/files',
    summary: 'A presigned URL to upload a redacted case file (statement, decision log) for its reviewers',
    access: ['admin'],
    params: CaseIdParamsSchema,
    body: z.object({
      fileName: CaseFileNameSchema,
      contentType: z
        .string()
        .regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'a media type such as application/pdf')
        .default('application/octet-stream'),
    }),
    successStatus: 201,
    response: z.object({ uploadUrl: z.url(), key: z.string(), expiresAt: z.iso.datetime() }),
    audit: 'collect',
  },
  deleteCaseFile: {
    method: 'DELETE',
    path: '/cases/{caseId}/files/{fileName}',
    summary:
      'Erase a case file at once (say one uploaded unredacted by mistake): no earlier version is kept, and the case history keeps only its SHA-256',
    access: ['admin'],
    params: CaseIdParamsSchema.extend({ fileName: CaseFileNameSchema }),
    response: z.object({
      caseId: z.string(),
      fileName: z.string(),
      fileSha256: z.string(),
      erasedAt: z.iso.datetime(),
    }),
    audit: 'erase',
  },
  getCasePack: {
    method: 'GET',
    path: '/cases/{caseId}/pack',
    summary: "Short-lived links to a concluded case's evidence pack (latest version unless one is named)",
    access: packReaders,
    params: CaseIdParamsSchema,
    query: PackVersionQuerySchema,
    response: PackLinksSchema,
    audit: 'disclose',
  },
  verifyCasePack: {
    method: 'GET',
    path: '/cases/{caseId}/pack/verification',
    summary:
      "Re-check every SHA-256 of a case's evidence pack against its manifest and the recorded manifest hash",
    access: packReaders,
    params: CaseIdParamsSchema,
    query: PackVersionQuerySchema,
    response: PackVerificationSchema,
    audit: 'consult',
  },
  correctCasePack: {
    method: 'POST',
    path: '/cases/{caseId}/pack',
    summary: 'Write a corrected pack: the next version, naming the one it supersedes and why',
    access: ['admin'],
    params: CaseIdParamsSchema,
    body: z.object({ reason: z.string().trim().min(1, 'say why the pack is corrected').max(1000) }),
    successStatus: 201,
    response: z.object({ version: z.number().int(), manifestSha256: z.string() }),
    audit: 'alter',
  },
  getSittingPack: {
    method: 'GET',
    path: '/sittings/{sittingId}/pack',
    summary: "Short-lived links to a sitting's evidence pack (its reports, frozen)",
    access: packReaders,
    params: SittingIdParamsSchema,
    query: PackVersionQuerySchema,
    response: PackLinksSchema,
    audit: 'disclose',
  },
  createSittingReport: {
    method: 'POST',
    path: '/sittings/{sittingId}/reports',
    summary:
      'Report on a sitting (verdicts by outcome code, deciding body and unit; themes; recommendations; agreement) as JSON, CSV and HTML',
    access: ['panel_chair', 'admin', 'auditor'],
    params: SittingIdParamsSchema,
    successStatus: 201,
    response: ReportLinksSchema,
    audit: 'combine',
    timeoutSeconds: 29,
  },
  closeSitting: {
    method: 'POST',
    path: '/sittings/{sittingId}/closure',
    summary:
      'Close a sitting after it met: cases without a conclusion go to the next sitting, and the final report is frozen as its pack',
    access: ['panel_chair', 'auditor'],
    params: SittingIdParamsSchema,
    body: z
      .object({
        earlyReason: z
          .string()
          .trim()
          .min(10, 'at least 10 characters: say why the sitting closes before it meets')
          .max(500)
          .optional()
          .describe('Required to close a sitting before the day it meets; kept on the closure record'),
      })
      .strict()
      .optional(),
    response: z.object({
      sittingId: z.string(),
      status: z.literal('CLOSED'),
      early: z.boolean().describe('Closed before the day it was to meet'),
      carriedOver: z.array(z.object({ caseId: z.string(), to: z.string().optional() })),
      recommendationsToDecide: z
        .array(z.string())
        .describe("Reviewers' proposed recommendations of the sitting the chair has still to decide"),
      report: ReportLinksSchema,
    }),
    audit: 'alter',
    timeoutSeconds: 29,
  },
  createSampleReport: {
    method: 'POST',
    path: '/samples/{sampleId}/reports',
    summary:
      'Report on a dip sample (non-compliance with Wilson and Clopper-Pearson intervals) as JSON, CSV and HTML',
    access: samplers,
    params: SampleIdParamsSchema,
    successStatus: 201,
    response: ReportLinksSchema,
    audit: 'combine',
    timeoutSeconds: 29,
  },
  listRecommendations: {
    method: 'GET',
    path: '/recommendations',
    summary:
      'Recommendations of concluded cases (of the panels you chair; all, for auditors and admins) with owners, due dates and status, soonest due first',
    access: recommendationReaders,
    response: z.object({ items: z.array(RecommendationSchema) }),
    audit: 'consult',
  },
  closeRecommendation: {
    method: 'POST',
    path: '/recommendations/{recommendationId}/closure',
    summary: 'Close a recommendation with the evidence of what was done',
    access: ['panel_chair', 'admin', 'auditor'],
    params: RecommendationIdParamsSchema,
    body: z.object({
      evidence: z.string().trim().min(1, 'say what was done, and where it is recorded').max(4000),
    }),
    response: RecommendationSchema,
    audit: 'alter',
  },
  decideRecommendation: {
    method: 'POST',
    path: '/recommendations/{recommendationId}/decision',
    summary:
      "The chair decides a reviewer's proposed recommendation: accept it (reworded if need be) to track it, merge it into another of the case, or drop it with a reason",
    access: ['panel_chair', 'admin', 'auditor'],
    params: RecommendationIdParamsSchema,
    body: RecommendationDecisionSchema,
    response: RecommendationSchema,
    audit: 'alter',
  },
  listReviewers: {
    method: 'GET',
    path: '/reviewers',
    summary: 'Panel reviewers: agency, unit, capacity, standing conflicts, active',
    access: ['admin', 'panel_chair', 'auditor'],
    response: z.object({ items: z.array(ReviewerSchema) }),
    audit: 'consult',
  },
  putReviewer: {
    method: 'PUT',
    path: '/reviewers/{reviewerId}',
    summary:
      'Add or update a reviewer; person ids and standing conflicts are pseudonymised on save so they match imported decisions',
    access: ['admin'],
    params: z.object({
      reviewerId: z.string().regex(/^rev_[a-z0-9_]{1,40}$/, 'a reviewer id such as rev_jo'),
    }),
    body: ReviewerSchema.omit({ reviewerId: true }),
    response: ReviewerSchema,
    audit: 'alter',
  },
  listPanels: {
    method: 'GET',
    path: '/panels',
    summary: 'Panels with their chair and members (those you chair; all, for admins)',
    access: ['panel_chair', 'admin'],
    response: z.object({ items: z.array(PanelSchema) }),
    audit: 'consult',
  },
  putPanel: {
    method: 'PUT',
    path: '/panels/{panelId}',
    summary: 'Add or update a panel: its name, chair and members',
    access: ['admin'],
    params: z.object({ panelId: z.string().regex(/^pan_[a-z0-9_]{1,40}$/, 'a panel id such as pan_rsp') }),
    body: PanelSchema.omit({ panelId: true, kind: true }),
    response: PanelSchema,
    audit: 'alter',
  },
  putSitting: {
    method: 'PUT',
    path: '/sittings/{sittingId}',
    summary:
      'Plan a sitting or change its date, deadline or capacity (its chair or an admin); the agenda and the lifecycle status are kept, and a moved deadline moves the open assignments due on it',
    access: ['admin', 'panel_chair', 'auditor'],
    params: SittingIdParamsSchema,
    body: SittingPlanSchema,
    response: SittingSchema,
    audit: 'alter',
  },
  listNotifications: {
    method: 'GET',
    path: '/notifications',
    summary: 'Your notifications, and those for the panels you chair, newest first (ids and dates only)',
    access: everyone,
    response: z.object({ items: z.array(NotificationSchema) }),
    audit: 'none',
  },
  getAuditTrailOfRecord: {
    method: 'GET',
    path: '/audit/records/{recordType}/{recordId}',
    summary: 'Who did what to one record, newest first',
    access: auditReaders,
    params: AuditRecordParamsSchema,
    response: AuditEventListSchema,
    audit: 'consult',
  },
  getAuditTrailOfActor: {
    method: 'GET',
    path: '/audit/actors/{subject}',
    summary: 'What one person did, newest first',
    access: auditReaders,
    params: AuditActorParamsSchema,
    response: AuditEventListSchema,
    audit: 'consult',
  },
} as const satisfies Record<string, RouteDefinition>;

export type RouteId = keyof typeof ROUTES;
export const ROUTE_IDS = Object.keys(ROUTES) as RouteId[];

/** The handler module of a route, relative to the project root: `getImport` → `functions/api/get-import.ts`. */
export function routeEntry(routeId: RouteId): string {
  return `functions/api/${routeId.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}.ts`;
}

export function routeKey(routeId: RouteId): string {
  const route: RouteDefinition = ROUTES[routeId];
  return `${route.method} ${route.path}`;
}
