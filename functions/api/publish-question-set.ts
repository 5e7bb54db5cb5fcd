import { apiHandler } from '#shared/http/api-handler';
import { publishQuestionSet } from '#shared/review/question-sets';

export const handler = apiHandler('publishQuestionSet', async ({ body, principal, recordAccess }) => {
  const published = await publishQuestionSet(principal, body);
  recordAccess({
    action: 'alter',
    recordType: 'question-set',
    recordId: String(published.version),
    detail: { questions: published.questions.length },
  });
  return published;
});
