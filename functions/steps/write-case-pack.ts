import { WriteCasePackInputSchema, writeCasePackStep } from '#shared/evidence/case-evidence';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('WriteCasePack', WriteCasePackInputSchema, writeCasePackStep);
