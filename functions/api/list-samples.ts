import { apiHandler } from '#shared/http/api-handler';
import { listSampleRecords } from '#shared/sampling/sample-store';

export const handler = apiHandler('listSamples', async ({ recordAccess }) => {
  const items = await listSampleRecords();
  for (const item of items)
    recordAccess({ action: 'consult', recordType: 'sample', recordId: item.sampleId });
  return { items };
});
