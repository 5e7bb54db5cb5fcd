import { apiHandler } from '#shared/http/api-handler';
import { submitFinding } from '#shared/review/findings';

export const handler = apiHandler('submitFinding', async ({ params, body, principal, recordAccess }) => {
  const finding = await submitFinding(principal, params.assignmentId, body);
  recordAccess({
    action: 'collect',
    recordType: 'finding',
    recordId: finding.findingId,
    detail: { caseId: finding.caseId, version: finding.version },
  });
  return finding;
});
