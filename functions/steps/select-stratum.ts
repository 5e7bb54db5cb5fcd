import { SelectStratumInputSchema, selectStratum } from '#shared/sampling/dip-sample-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('SelectStratum', SelectStratumInputSchema, selectStratum);
