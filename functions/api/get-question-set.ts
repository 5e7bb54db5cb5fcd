import { apiHandler } from '#shared/http/api-handler';
import { withScales } from '#shared/review/question-set';
import { getQuestionSet } from '#shared/review/question-sets';

export const handler = apiHandler('getQuestionSet', async ({ params }) =>
  withScales(await getQuestionSet(params.version)),
);
