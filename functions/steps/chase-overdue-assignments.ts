import { z } from 'zod';
import { chaseOverdueAssignments } from '#shared/routing/assignments';
import { workflowStep } from '#shared/workflow-step';

const ChaseInputSchema = z.object({ asOf: z.iso.datetime(), executionId: z.string() });

export const handler = workflowStep('ChaseOverdueAssignments', ChaseInputSchema, ({ asOf, executionId }) =>
  chaseOverdueAssignments(asOf, executionId),
);
