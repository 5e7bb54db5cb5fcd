import { apiHandler } from '#shared/http/api-handler';
import { getQuestionSet } from '#shared/review/question-sets';

export const handler = apiHandler('getQuestionSet', ({ params }) => getQuestionSet(params.version));
