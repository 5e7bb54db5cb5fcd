import { apiHandler } from '#shared/http/api-handler';
import { saveReviewer } from '#shared/panels/panel-store';

export const handler = apiHandler('putReviewer', async ({ params, body, recordAccess }) => {
  const reviewer = { ...body, reviewerId: params.reviewerId };
  await saveReviewer(reviewer);
  recordAccess({ action: 'alter', recordType: 'reviewer', recordId: reviewer.reviewerId });
  return reviewer;
});
