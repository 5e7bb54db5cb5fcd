import { waitingCases } from '#shared/cases/waiting-list';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('listWaitingCases', async ({ query, recordAccess }) => {
  const page = await waitingCases(query);
  for (const item of page.items)
    recordAccess({ action: 'consult', recordType: 'case', recordId: item.caseId });
  return page;
});
