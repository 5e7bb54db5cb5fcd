import { apiHandler } from '#shared/http/api-handler';
import { nominationCandidates } from '#shared/nominations/nominations';

export const handler = apiHandler('listNominationCandidates', async ({ query, recordAccess }) => {
  const items = await nominationCandidates(query.crimeReference);
  for (const candidate of items)
    recordAccess({ action: 'consult', recordType: 'decision', recordId: candidate.decisionId });
  return { items };
});
