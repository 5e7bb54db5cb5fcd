import { apiHandler } from '#shared/http/api-handler';
import { decideRecommendation } from '#shared/recommendations/recommendations';

export const handler = apiHandler(
  'decideRecommendation',
  async ({ params, body, principal, recordAccess }) => {
    const decided = await decideRecommendation(principal, params.recommendationId, body);
    recordAccess({
      action: 'alter',
      recordType: 'recommendation',
      recordId: params.recommendationId,
      detail: { decision: body.decision },
    });
    return decided;
  },
);
