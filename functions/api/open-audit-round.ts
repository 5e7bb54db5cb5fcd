import { apiHandler } from '#shared/http/api-handler';
import { openAuditRound } from '#shared/panels/audit-rounds';

export const handler = apiHandler(
  'openAuditRound',
  async ({ params, body, principal, requestId, recordAccess }) => {
    const opened = await openAuditRound(principal, params.sampleId, body, requestId);
    const { sittingId } = opened.sitting;
    recordAccess({
      action: 'alter',
      recordType: 'sitting',
      recordId: sittingId,
      detail: { auditOf: params.sampleId },
    });
    for (const caseId of opened.added)
      recordAccess({ action: 'alter', recordType: 'case', recordId: caseId, detail: { sittingId } });
    return opened;
  },
);
