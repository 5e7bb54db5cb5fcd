import { apiHandler } from '#shared/http/api-handler';
import { reviewerOf } from '#shared/panels/agenda';
import { listOwnAssignments } from '#shared/routing/assignments';

export const handler = apiHandler('listAssignments', async ({ principal, recordAccess }) => {
  const reviewer = await reviewerOf(principal);
  const items = reviewer ? await listOwnAssignments(reviewer.reviewerId) : [];
  for (const item of items)
    recordAccess({ action: 'consult', recordType: 'assignment', recordId: item.assignmentId });
  return { items };
});
