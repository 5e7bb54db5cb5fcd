import { apiHandler } from '#shared/http/api-handler';
import { takeOffAgenda } from '#shared/panels/agenda-removal';

export const handler = apiHandler(
  'takeOffAgenda',
  async ({ params, body, principal, requestId, recordAccess }) => {
    const { sittingId } = params;
    const removed = await takeOffAgenda(principal, sittingId, body.caseId, body.reason, requestId);
    recordAccess({ action: 'alter', recordType: 'sitting', recordId: sittingId, detail: { removed: 1 } });
    recordAccess({ action: 'alter', recordType: 'case', recordId: body.caseId, detail: { status: 'OPEN' } });
    return removed;
  },
);
