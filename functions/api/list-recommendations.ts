import { apiHandler } from '#shared/http/api-handler';
import { recommendationsFor } from '#shared/recommendations/recommendations';

export const handler = apiHandler('listRecommendations', async ({ principal, recordAccess }) => {
  const items = await recommendationsFor(principal);
  recordAccess({
    action: 'consult',
    recordType: 'recommendation',
    recordId: 'all',
    detail: { count: items.length },
  });
  return { items };
});
