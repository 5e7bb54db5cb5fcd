import { apiHandler } from '#shared/http/api-handler';
import { amendFinding } from '#shared/review/findings';

export const handler = apiHandler('amendFinding', async ({ params, body, principal, recordAccess }) => {
  const finding = await amendFinding(principal, params.assignmentId, body);
  recordAccess({
    action: 'alter',
    recordType: 'finding',
    recordId: finding.findingId,
    detail: { caseId: finding.caseId, version: finding.version },
  });
  return finding;
});
