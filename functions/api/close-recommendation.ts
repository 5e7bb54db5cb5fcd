import { apiHandler } from '#shared/http/api-handler';
import { closeRecommendation } from '#shared/recommendations/recommendations';

export const handler = apiHandler(
  'closeRecommendation',
  async ({ params, body, principal, recordAccess }) => {
    const closed = await closeRecommendation(principal, params.recommendationId, body.evidence);
    recordAccess({ action: 'alter', recordType: 'recommendation', recordId: params.recommendationId });
    return closed;
  },
);
