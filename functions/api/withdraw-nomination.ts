import { apiHandler } from '#shared/http/api-handler';
import { withdrawNomination } from '#shared/nominations/nomination-changes';
import { getOwnNomination } from '#shared/nominations/nominations';

export const handler = apiHandler(
  'withdrawNomination',
  async ({ params, body, principal, requestId, recordAccess }) => {
    const withdrawal = await withdrawNomination(principal, params.nominationId, body.reason, requestId);
    recordAccess({ action: 'alter', recordType: 'nomination', recordId: params.nominationId });
    if (withdrawal.case.outcome === 'withdrawn') {
      recordAccess({
        action: 'alter',
        recordType: 'case',
        recordId: withdrawal.case.caseId,
        detail: { status: 'WITHDRAWN' },
      });
    }
    return { ...(await getOwnNomination(principal, params.nominationId)).view, case: withdrawal.case };
  },
);
