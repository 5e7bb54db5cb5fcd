import { ExpireStaleImportsInputSchema, expireStaleImports } from '#shared/imports/expire-stale-imports';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('ExpireStaleImports', ExpireStaleImportsInputSchema, expireStaleImports);
