import { apiHandler } from '#shared/http/api-handler';
import { withScales } from '#shared/review/question-set';
import { currentQuestionSet } from '#shared/review/question-sets';

export const handler = apiHandler('getCurrentQuestionSet', async () =>
  withScales(await currentQuestionSet()),
);
