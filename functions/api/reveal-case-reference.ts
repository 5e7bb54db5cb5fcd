import { revealCase } from '#shared/decisions/reveal';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('revealCaseReference', async ({ params, body, recordAccess }) => {
  const revealed = await revealCase(params.caseId);
  const detail = { reason: body.reason };
  recordAccess({ action: 'disclose', recordType: 'case', recordId: params.caseId, detail });
  recordAccess({ action: 'disclose', recordType: 'decision', recordId: revealed.decisionId, detail });
  return revealed;
});
