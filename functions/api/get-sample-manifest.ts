import { apiHandler } from '#shared/http/api-handler';
import { manifestLinks } from '#shared/sampling/samples';

export const handler = apiHandler('getSampleManifest', async ({ params, recordAccess }) => {
  const links = await manifestLinks(params.sampleId);
  recordAccess({
    action: 'disclose',
    recordType: 'sample',
    recordId: params.sampleId,
    detail: { what: 'manifest' },
  });
  return links;
});
