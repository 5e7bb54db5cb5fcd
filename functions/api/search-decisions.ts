import { onlyVisible } from '#shared/access/policy';
import { decisionsOfCrimeReference } from '#shared/decisions/decision-store';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('searchDecisions', async ({ query, principal, recordAccess }) => {
  const items = onlyVisible('decision', principal, await decisionsOfCrimeReference(query.crimeReference));
  for (const decision of items)
    recordAccess({ action: 'consult', recordType: 'decision', recordId: decision.decisionId });
  return { items };
});
