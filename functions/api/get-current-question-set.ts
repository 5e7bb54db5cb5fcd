import { apiHandler } from '#shared/http/api-handler';
import { currentQuestionSet } from '#shared/review/question-sets';

export const handler = apiHandler('getCurrentQuestionSet', () => currentQuestionSet());
