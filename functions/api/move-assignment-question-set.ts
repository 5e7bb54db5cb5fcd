import { apiHandler } from '#shared/http/api-handler';
import { moveToCurrentQuestionSet } from '#shared/routing/assignments';

export const handler = apiHandler(
  'moveAssignmentQuestionSet',
  async ({ params, body, principal, requestId, recordAccess }) => {
    const moved = await moveToCurrentQuestionSet(principal, params.assignmentId, body.reason, {
      subject: principal.subject,
      requestId,
    });
    recordAccess({
      action: 'alter',
      recordType: 'case',
      recordId: moved.caseId,
      detail: { questionSetVersion: String(moved.questionSetVersion) },
    });
    return moved;
  },
);
