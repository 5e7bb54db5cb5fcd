import { apiHandler } from '#shared/http/api-handler';
import { listReviewers } from '#shared/panels/panel-store';

export const handler = apiHandler('listReviewers', async ({ recordAccess }) => {
  const items = await listReviewers();
  for (const item of items)
    recordAccess({ action: 'consult', recordType: 'reviewer', recordId: item.reviewerId });
  return { items };
});
