import { visibleTo } from '#shared/access/policy';
import { decisionHistory } from '#shared/decisions/decision-revisions';
import { getDecision } from '#shared/decisions/decision-store';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('getDecision', async ({ params, principal, recordAccess }) => {
  const decision = visibleTo(
    'decision',
    principal,
    await getDecision(params.decisionId),
    `No decision ${params.decisionId}`,
  );
  recordAccess({ action: 'consult', recordType: 'decision', recordId: decision.decisionId });
  return { ...decision, history: await decisionHistory(decision.decisionId) };
});
