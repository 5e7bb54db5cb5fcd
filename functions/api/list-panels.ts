import { apiHandler } from '#shared/http/api-handler';
import { panelsFor } from '#shared/panels/agenda';

export const handler = apiHandler('listPanels', async ({ principal, recordAccess }) => {
  const items = await panelsFor(principal);
  for (const panel of items)
    recordAccess({ action: 'consult', recordType: 'panel', recordId: panel.panelId });
  return { items };
});
