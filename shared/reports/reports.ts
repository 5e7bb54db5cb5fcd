/**
 * Making reports: the figures are read from the state of record, built by the pure report
 * functions (sitting-report.ts, sample-report.ts), and stored as JSON, CSV and HTML in the reports
 * bucket, where the caller downloads them through short-lived links. A sitting's report is also
 * frozen in the evidence bucket as the sitting's pack; each new report of the sitting is the pack's
 * next version, naming the one before.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../aws-clients.ts';
import { getCase, listCases } from '../cases/case-store.ts';
import { getDecision } from '../decisions/decision-store.ts';
import { ENV, requireEnv } from '../environment.ts';
import type { PackFile } from '../evidence/manifest.ts';
import { writePack } from '../evidence/packs.ts';
import type { Principal } from '../http/principal.ts';
import { newId } from '../ids.ts';
import { sittingFor } from '../panels/agenda.ts';
import { listRecommendations } from '../recommendations/recommendations.ts';
import { latestVersions } from '../review/finding.ts';
import { findingsOfCase } from '../review/finding-store.ts';
import { getQuestionSet } from '../review/question-sets.ts';
import { statusInSitting } from '../review/sitting-progress.ts';
import { CONCLUDED_CASE_STATUSES, combinedSamples, sampleEstimates } from '../sampling/estimates.ts';
import { getStoredSample } from '../sampling/sample-store.ts';
import {
  buildSampleReport,
  type SampleReportCase,
  sampleReportCsv,
  sampleReportHtml,
} from './sample-report.ts';
import {
  buildSittingReport,
  type SittingReportCase,
  sittingReportCsv,
  sittingReportHtml,
} from './sitting-report.ts';

/** How long a link to a report works. */
export const REPORT_LINK_SECONDS = 600;

const FORMATS = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const;
type Format = keyof typeof FORMATS;

async function storeReport(folder: string, contents: Record<Format, string>, now: Date) {
  const bucket = requireEnv(ENV.reportsBucket);
  const reportId = newId('rpt', now.getTime());
  const files = {} as Record<Format, string>;
  for (const format of Object.keys(FORMATS) as Format[]) {
    const key = `reports/${folder}/${reportId}/report.${format}`;
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: contents[format],
        ContentType: FORMATS[format],
      }),
    );
    files[format] = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: REPORT_LINK_SECONDS,
    });
  }
  return {
    reportId,
    generatedAt: now.toISOString(),
    files,
    expiresAt: new Date(now.getTime() + REPORT_LINK_SECONDS * 1000).toISOString(),
  };
}

async function sittingCase(caseId: string, sittingId: string): Promise<SittingReportCase> {
  const reviewCase = await getCase(caseId);
  const decision = await getDecision(reviewCase.decisionId);
  const status = statusInSitting(reviewCase, sittingId);
  // Findings count (themes, agreement) once the case is decided here; before that they would show a
  // chair who also reviews what the other reviewers found.
  const decided = ['CONCLUDED', 'CLOSED', 'CARRIED_OVER'].includes(status);
  return {
    caseId,
    status,
    ...(reviewCase.verdict ? { verdict: reviewCase.verdict } : {}),
    ...(reviewCase.concludedBy ? { concludedBy: reviewCase.concludedBy } : {}),
    origin: reviewCase.origin.kind,
    decision: {
      ...(decision.outcomeCode ? { outcomeCode: decision.outcomeCode } : {}),
      ...(decision.outcomeCategory ? { outcomeCategory: decision.outcomeCategory } : {}),
      decidingBody: decision.decidingBody,
      ...(decision.unit ? { unit: decision.unit } : {}),
      decisionType: decision.decisionType,
      offenceGroup: decision.offenceGroup,
    },
    findings: decided ? [...latestVersions(await findingsOfCase(caseId, sittingId)).values()] : [],
  };
}

/** The sitting's report, for its chair or an admin, stored and frozen as the sitting's next pack version. */
export async function createSittingReport(principal: Principal, sittingId: string, now = new Date()) {
  const sitting = await sittingFor(principal, sittingId);
  const cases = [];
  for (const caseId of sitting.agenda) cases.push(await sittingCase(caseId, sittingId));
  const report = buildSittingReport({
    sitting,
    generatedAt: now.toISOString(),
    questionSets: await questionSetsOf(cases.flatMap((c) => c.findings)),
    cases,
    recommendations: (await listRecommendations()).filter((r) => r.sittingId === sittingId),
  });
  const contents = {
    json: `${JSON.stringify(report, null, 2)}\n`,
    csv: sittingReportCsv(report),
    html: sittingReportHtml(report),
  };
  const stored = await storeReport(`sittings/${sittingId}`, contents, now);
  const files: PackFile[] = (Object.keys(FORMATS) as Format[]).map((format) => ({
    name: `report.${format}`,
    contentType: FORMATS[format],
    content: contents[format],
  }));
  const pack = await writePack(
    { kind: 'sitting', id: sittingId },
    () => ({ files, createdAt: now.toISOString() }),
    { reason: `report ${stored.reportId} made on ${now.toISOString()}` },
  );
  return {
    ...stored,
    pack: { version: pack.version, manifestSha256: pack.manifestSha256 },
  };
}

/** The question set versions the findings answered, oldest first. */
const questionSetsOf = (findings: readonly { questionSetVersion: number }[]) =>
  Promise.all(
    [...new Set(findings.map((f) => f.questionSetVersion))]
      .sort((a, b) => a - b)
      .map((version) => getQuestionSet(version)),
  );

/**
 * The dip sample's report: its cases and those of its top-ups, non-compliance estimates with their
 * intervals, overall and per stratum, and the answers of the concluded cases to each question.
 */
export async function createSampleReport(sampleId: string, now = new Date()) {
  const { record } = await getStoredSample(sampleId);
  const [, ...topUps] = await combinedSamples(record);
  const sampleIds = [sampleId, ...topUps.map((topUp) => topUp.sampleId)];
  const cases: SampleReportCase[] = [];
  for (const reviewCase of await listCases()) {
    const { origin } = reviewCase;
    if (origin.kind !== 'dip-sample' || !sampleIds.includes(origin.sampleId)) continue;
    const decision = await getDecision(reviewCase.decisionId);
    // The findings the case concluded on: those of the sitting it concluded in.
    const concluded = CONCLUDED_CASE_STATUSES.includes(reviewCase.status) && reviewCase.sittingId;
    cases.push({
      caseId: reviewCase.caseId,
      sampleId: origin.sampleId,
      stratum: origin.stratum,
      rank: origin.rank,
      decisionId: reviewCase.decisionId,
      crimeReference: decision.crimeReference,
      status: reviewCase.status,
      ...(reviewCase.verdict ? { verdict: reviewCase.verdict } : {}),
      ...(reviewCase.concludedBy ? { concludedBy: reviewCase.concludedBy } : {}),
      ...(reviewCase.sittingId ? { sittingId: reviewCase.sittingId } : {}),
      findings: concluded ? await findingsOfCase(reviewCase.caseId, concluded) : [],
    });
  }
  const report = buildSampleReport({
    sample: record,
    topUps,
    cases,
    questionSets: await questionSetsOf(cases.flatMap((c) => c.findings)),
    estimates: await sampleEstimates(sampleId),
    generatedAt: now.toISOString(),
  });
  return storeReport(
    `samples/${sampleId}`,
    {
      json: `${JSON.stringify(report, null, 2)}\n`,
      csv: sampleReportCsv(report),
      html: sampleReportHtml(report),
    },
    now,
  );
}
