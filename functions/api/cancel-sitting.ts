import { apiHandler } from '#shared/http/api-handler';
import { cancelSitting } from '#shared/panels/agenda-removal';
import { getSitting } from '#shared/panels/panel-store';

export const handler = apiHandler(
  'cancelSitting',
  async ({ params, body, principal, requestId, recordAccess }) => {
    const { sittingId } = params;
    const { agenda } = await getSitting(sittingId);
    const cancelled = await cancelSitting(principal, sittingId, body.reason, requestId);
    recordAccess({
      action: 'alter',
      recordType: 'sitting',
      recordId: sittingId,
      detail: { status: 'CANCELLED' },
    });
    for (const caseId of agenda)
      recordAccess({ action: 'alter', recordType: 'case', recordId: caseId, detail: { status: 'OPEN' } });
    return cancelled;
  },
);
