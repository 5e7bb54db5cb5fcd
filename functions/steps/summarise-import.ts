import { SummariseImportInputSchema, summariseImport } from '#shared/imports/import-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('SummariseImport', SummariseImportInputSchema, summariseImport);
