import { WriteManifestInputSchema, writeManifest } from '#shared/sampling/dip-sample-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('WriteManifest', WriteManifestInputSchema, writeManifest);
