import { apiHandler } from '#shared/http/api-handler';
import { declineAssignment } from '#shared/routing/assignments';

export const handler = apiHandler(
  'declineAssignment',
  async ({ params, body, principal, requestId, recordAccess }) => {
    const result = await declineAssignment(principal, params.assignmentId, body.conflict, requestId);
    recordAccess({
      action: 'alter',
      recordType: 'assignment',
      recordId: params.assignmentId,
      detail: { status: 'declined' },
    });
    return result;
  },
);
