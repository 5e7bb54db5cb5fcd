import { ImportChunkInputSchema, importChunk } from '#shared/imports/import-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('ImportChunk', ImportChunkInputSchema, importChunk);
