import { apiHandler } from '#shared/http/api-handler';
import { assignNamedReviewer } from '#shared/routing/assignments';

export const handler = apiHandler(
  'assignNamedReviewer',
  async ({ params, body, principal, requestId, recordAccess }) => {
    const named = { reviewerId: body.reviewerId, reason: body.reason };
    const assigned = await assignNamedReviewer(principal, params.caseId, named, {
      subject: principal.subject,
      requestId,
    });
    recordAccess({
      action: 'alter',
      recordType: 'case',
      recordId: params.caseId,
      detail: { picks: assigned.picks.length },
    });
    return assigned;
  },
);
