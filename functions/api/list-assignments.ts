import { apiHandler } from '#shared/http/api-handler';
import { reviewerOf } from '#shared/panels/agenda';
import { listAssignmentsOf } from '#shared/routing/assignment-store';

export const handler = apiHandler('listAssignments', async ({ principal, recordAccess }) => {
  const reviewer = await reviewerOf(principal);
  const items = reviewer ? await listAssignmentsOf(reviewer.reviewerId) : [];
  for (const item of items)
    recordAccess({ action: 'consult', recordType: 'assignment', recordId: item.assignmentId });
  return { items };
});
