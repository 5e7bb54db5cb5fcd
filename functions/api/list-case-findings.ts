import { apiHandler } from '#shared/http/api-handler';
import { caseFindingsFor } from '#shared/review/findings';

export const handler = apiHandler('listCaseFindings', async ({ params, principal, recordAccess }) => {
  const view = await caseFindingsFor(principal, params.caseId);
  recordAccess({
    action: 'consult',
    recordType: 'case',
    recordId: params.caseId,
    detail: { findings: view.findings.length },
  });
  for (const finding of view.findings) {
    recordAccess({ action: 'consult', recordType: 'finding', recordId: finding.findingId });
  }
  return view;
});
