import { apiHandler } from '#shared/http/api-handler';
import { listRecommendations } from '#shared/recommendations/recommendations';

export const handler = apiHandler('listRecommendations', async ({ recordAccess }) => {
  const items = await listRecommendations();
  recordAccess({
    action: 'consult',
    recordType: 'recommendation',
    recordId: 'all',
    detail: { count: items.length },
  });
  return { items };
});
