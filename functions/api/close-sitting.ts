import { apiHandler } from '#shared/http/api-handler';
import { closeSitting } from '#shared/review/sitting-closure';

export const handler = apiHandler(
  'closeSitting',
  async ({ params, body, principal, requestId, recordAccess }) => {
    const closed = await closeSitting(principal, params.sittingId, requestId, body ?? {});
    recordAccess({
      action: 'alter',
      recordType: 'sitting',
      recordId: params.sittingId,
      detail: { status: 'CLOSED', carriedOver: closed.carriedOver.length, early: closed.early },
    });
    for (const { caseId } of closed.carriedOver) {
      recordAccess({
        action: 'alter',
        recordType: 'case',
        recordId: caseId,
        detail: { status: 'CARRIED_OVER' },
      });
    }
    return closed;
  },
);
