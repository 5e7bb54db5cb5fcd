import { assessCase, ConclusionInputSchema } from '#shared/review/conclusion';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('AssessCase', ConclusionInputSchema, (input) => assessCase(input));
