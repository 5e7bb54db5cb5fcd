import { apiHandler } from '#shared/http/api-handler';
import { verifyManifest } from '#shared/sampling/verify';

export const handler = apiHandler('verifySample', async ({ body, recordAccess }) => {
  const verification = await verifyManifest(body);
  recordAccess({
    action: 'consult',
    recordType: 'sample',
    recordId: body.sampleId,
    detail: { what: 'verification' },
  });
  return verification;
});
