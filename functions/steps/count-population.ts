import { countPopulation, SampleWorkflowInputSchema } from '#shared/sampling/dip-sample-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('CountPopulation', SampleWorkflowInputSchema, countPopulation);
