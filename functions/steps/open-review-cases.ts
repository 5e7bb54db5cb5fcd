import { OpenCasesInputSchema, openReviewCases } from '#shared/sampling/dip-sample-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('OpenReviewCases', OpenCasesInputSchema, openReviewCases);
