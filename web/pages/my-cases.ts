/** My cases: a reviewer's assignments as table rows, soonest due first, each with its status tag. */

export interface AssignmentItem {
  readonly assignmentId: string;
  readonly caseId: string;
  readonly sittingId: string;
  readonly dueDate: string;
  readonly status: string;
}

const TAGS: Readonly<Record<string, { text: string; classes: string }>> = {
  assigned: { text: 'To review', classes: 'govuk-tag--blue' },
  submitted: { text: 'Submitted', classes: 'govuk-tag--green' },
  declined: { text: 'Declined', classes: 'govuk-tag--grey' },
  withdrawn: { text: 'Withdrawn', classes: 'govuk-tag--grey' },
};
const OVERDUE = { text: 'Overdue', classes: 'govuk-tag--red' };

export function myCasesRows(items: readonly AssignmentItem[], today = new Date().toISOString().slice(0, 10)) {
  return [...items]
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.caseId.localeCompare(b.caseId))
    .map((item) => {
      const tag =
        item.status === 'assigned' && item.dueDate < today
          ? OVERDUE
          : (TAGS[item.status] ?? { text: item.status, classes: 'govuk-tag--grey' });
      return [
        ['assigned', 'submitted'].includes(item.status)
          ? { html: `<a class="govuk-link" href="/my-cases/${item.assignmentId}">${item.caseId}</a>` }
          : { text: item.caseId },
        { text: item.sittingId },
        { text: item.dueDate },
        { html: `<strong class="govuk-tag ${tag.classes}">${tag.text}</strong>` },
      ];
    });
}
