import { apiHandler } from '#shared/http/api-handler';
import { putReviewer } from '#shared/panels/reviewers';

export const handler = apiHandler('putReviewer', async ({ params, body, recordAccess }) => {
  const reviewer = await putReviewer({ ...body, reviewerId: params.reviewerId });
  recordAccess({ action: 'alter', recordType: 'reviewer', recordId: reviewer.reviewerId });
  return reviewer;
});
