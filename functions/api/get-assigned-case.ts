import { apiHandler } from '#shared/http/api-handler';
import { caseForReviewer } from '#shared/review/reviewer-view';

export const handler = apiHandler('getAssignedCase', async ({ params, principal, recordAccess }) => {
  const { nominationIds, ...view } = await caseForReviewer(principal, params.assignmentId);
  recordAccess({ action: 'consult', recordType: 'assignment', recordId: params.assignmentId });
  recordAccess({ action: 'consult', recordType: 'case', recordId: view.case.caseId });
  recordAccess({ action: 'consult', recordType: 'decision', recordId: view.decision.decisionId });
  for (const nominationId of nominationIds) {
    recordAccess({ action: 'consult', recordType: 'nomination', recordId: nominationId });
  }
  if (view.caseFiles.files.length > 0) {
    recordAccess({
      action: 'disclose',
      recordType: 'case',
      recordId: view.case.caseId,
      detail: { caseFileLinks: view.caseFiles.files.length },
    });
  }
  return view;
});
