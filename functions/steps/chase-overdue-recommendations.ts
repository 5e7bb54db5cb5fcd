import { z } from 'zod';
import { chaseOverdueRecommendations } from '#shared/recommendations/recommendations';
import { workflowStep } from '#shared/workflow-step';

const ChaseInputSchema = z.object({ asOf: z.iso.datetime(), executionId: z.string() });

export const handler = workflowStep('ChaseOverdueRecommendations', ChaseInputSchema, ({ asOf }) =>
  chaseOverdueRecommendations(asOf),
);
