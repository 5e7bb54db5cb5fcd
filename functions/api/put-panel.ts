import { apiHandler } from '#shared/http/api-handler';
import { savePanel } from '#shared/panels/panel-store';

export const handler = apiHandler('putPanel', async ({ params, body, recordAccess }) => {
  const panel = { ...body, panelId: params.panelId };
  await savePanel(panel);
  recordAccess({ action: 'alter', recordType: 'panel', recordId: panel.panelId });
  return panel;
});
