import { applyOutcomesChunk, OutcomesChunkInputSchema } from '#shared/imports/import-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('ApplyOutcomesChunk', OutcomesChunkInputSchema, applyOutcomesChunk);
