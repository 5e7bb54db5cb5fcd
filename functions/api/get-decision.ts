import { getDecision } from '#shared/decisions/decision-store';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('getDecision', async ({ params }) => getDecision(params.decisionId));
