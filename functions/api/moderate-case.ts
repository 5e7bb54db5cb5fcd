import { apiHandler } from '#shared/http/api-handler';
import { moderate } from '#shared/review/conclusion';

export const handler = apiHandler('moderateCase', async ({ params, body, principal, recordAccess }) => {
  const moderation = await moderate(principal, params.caseId, body);
  recordAccess({
    action: 'alter',
    recordType: 'case',
    recordId: params.caseId,
    detail: { moderated: moderation.verdict },
  });
  return moderation;
});
