import { apiHandler } from '#shared/http/api-handler';
import { sampleSize } from '#shared/sampling/statistics';

export const handler = apiHandler('getSampleSize', async ({ query }) => sampleSize(query));
