/**
 * The evidence pack of a concluded case: everything the panel's conclusion rests on, gathered from
 * the state of record and written as a pack version (shared/evidence/packs.ts). The contents are a
 * function of the stored records only (dated by the conclusion, not by the clock), so the workflow
 * step can run again and find the pack already written.
 */
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { getCase } from '../cases/case-store.ts';
import type { ReviewCase } from '../cases/review-case.ts';
import { decisionAsAt, decisionHistory } from '../decisions/decision-revisions.ts';
import { getDecision } from '../decisions/decision-store.ts';
import { ConflictError } from '../errors.ts';
import { nominationHistory, nominationsOfCase } from '../nominations/nomination-store.ts';
import { findingsOfCase, moderationsOf } from '../review/finding-store.ts';
import { getQuestionSet } from '../review/question-sets.ts';
import { assignmentIdOf, caseHistory, getAssignment, reviewersIn } from '../routing/assignment-store.ts';
import { getStoredSample } from '../sampling/sample-store.ts';
import {
  type CasePackContents,
  casePackFiles,
  type PackHistoryEvent,
  type PackProvenance,
} from './case-pack.ts';
import { type PackVersion, packVersions, writePack } from './packs.ts';

/** Where a pack-worthy case stands: only concluded cases have packs. */
const PACKED = ['CONCLUDED', 'CLOSED'];

const stripKeys = ({ pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest }: Record<string, unknown>) => rest;

async function provenanceOf(reviewCase: ReviewCase): Promise<PackProvenance> {
  if (reviewCase.origin.kind !== 'dip-sample') return { kind: 'nomination' };
  const { record, seed } = await getStoredSample(reviewCase.origin.sampleId);
  return {
    kind: 'dip-sample',
    sampleId: record.sampleId,
    seedCommitment: record.seedCommitment,
    ...(record.status === 'SELECTED' ? { seed } : {}),
    algorithm: 'HMAC-SHA256 lowest-k per stratum',
    ...(record.manifestKey ? { manifestKey: record.manifestKey } : {}),
    stratum: reviewCase.origin.stratum,
    rank: reviewCase.origin.rank,
  };
}

async function historyOf(caseId: string): Promise<PackHistoryEvent[]> {
  return (await caseHistory(caseId)).map((item) => stripKeys(item) as PackHistoryEvent);
}

/** Every assignment the case ever had: one per sitting it sat in × reviewer its history names. */
async function assignmentsOf(reviewCase: ReviewCase, history: readonly PackHistoryEvent[]) {
  const sittings = [...new Set([...(reviewCase.carriedOverFrom ?? []), reviewCase.sittingId ?? ''])].filter(
    Boolean,
  );
  const found = [];
  for (const sittingId of sittings) {
    for (const reviewerId of reviewersIn(history)) {
      const assignment = await getAssignment(assignmentIdOf(reviewCase.caseId, sittingId, reviewerId));
      if (assignment) found.push(assignment);
    }
  }
  return found;
}

export async function casePackContents(
  caseId: string,
): Promise<Omit<CasePackContents, 'version' | 'previous'>> {
  const reviewCase = await getCase(caseId);
  if (!PACKED.includes(reviewCase.status) || !reviewCase.sittingId) {
    throw new ConflictError(`Case ${caseId} has not concluded: there is nothing to pack yet`);
  }
  const history = await historyOf(caseId);
  const findings = await findingsOfCase(caseId);
  const versions = [...new Set(findings.map((finding) => finding.questionSetVersion))].sort((a, b) => a - b);
  const moderations = await moderationsOf(caseId);
  return {
    caseId,
    createdAt: reviewCase.concludedAt ?? reviewCase.openedAt,
    reviewCase: reviewCase,
    // As the panel reviewed it: an import that corrected the decision since changes no pack.
    decision: decisionAsAt(
      await getDecision(reviewCase.decisionId),
      await decisionHistory(reviewCase.decisionId),
      reviewCase.concludedAt ?? reviewCase.openedAt,
    ),
    nominations: await Promise.all(
      (await nominationsOfCase(reviewCase)).map(async (nomination) => ({
        ...nomination,
        versions: await nominationHistory(nomination),
      })),
    ),
    provenance: await provenanceOf(reviewCase),
    assignments: await assignmentsOf(reviewCase, history),
    history,
    findings,
    moderations,
    questionSets: await Promise.all(versions.map((version) => getQuestionSet(version))),
  };
}

/**
 * Writes the case's pack: the first version on conclusion; a later version (corrected, with the
 * reason, naming the one it supersedes) when asked to with `reason`.
 */
export async function writeCasePack(
  caseId: string,
  correction?: { reason: string },
  now = new Date(),
): Promise<PackVersion> {
  const contents = await casePackContents(caseId);
  const subject = { kind: 'case', id: caseId } as const;
  let createdAt = correction ? now.toISOString() : contents.createdAt;
  if (correction) {
    // The same correction asked for again (a retry) is the version it made, finished if need be:
    // dated as it was, so its contents come out the same.
    const last = (await packVersions(subject)).at(-1);
    const same = last && last.status !== 'reserved' && last.reason === correction.reason ? last : undefined;
    if (same?.status === 'complete') return same;
    if (same?.status === 'writing') createdAt = same.createdAt;
  }
  return writePack(
    subject,
    (version, previous) => ({
      createdAt,
      files: casePackFiles({ ...contents, version, ...(previous ? { previous } : {}) }),
    }),
    correction ? { reason: correction.reason, force: true } : {},
  );
}

export const WriteCasePackInputSchema = z.object({
  caseId: z.string(),
  requestedBy: z.object({ subject: z.string() }),
  execution: z.object({ id: z.string() }),
});

/** The conclusion workflow's last step: the pack, and an audit event saying it was written. */
export async function writeCasePackStep(input: z.infer<typeof WriteCasePackInputSchema>) {
  const pack = await writeCasePack(input.caseId);
  await appendAuditEvents([
    auditEvent(
      { subject: input.requestedBy.subject, roles: [] },
      {
        action: 'combine',
        recordType: 'evidence-pack',
        recordId: input.caseId,
        detail: { version: pack.version, files: pack.files.length },
      },
      input.execution.id,
      'conclude-case/WriteCasePack',
    ),
  ]);
  return { caseId: input.caseId, version: pack.version, manifestSha256: pack.manifestSha256 };
}
