import { ImportFileSchema, planImport } from '#shared/imports/import-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('PlanImport', ImportFileSchema, planImport);
