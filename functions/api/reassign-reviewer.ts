import { apiHandler } from '#shared/http/api-handler';
import { sittingFor } from '#shared/panels/agenda';
import { reassignReviewer } from '#shared/routing/assignments';

export const handler = apiHandler(
  'reassignReviewer',
  async ({ params, body, principal, requestId, recordAccess }) => {
    await sittingFor(principal, params.sittingId);
    const result = await reassignReviewer(params.sittingId, body.fromReviewerId, body.reason, {
      subject: principal.subject,
      requestId,
    });
    for (const move of result.moved)
      recordAccess({ action: 'alter', recordType: 'case', recordId: move.caseId });
    recordAccess({
      action: 'alter',
      recordType: 'sitting',
      recordId: params.sittingId,
      detail: { moved: result.moved.length },
    });
    return result;
  },
);
