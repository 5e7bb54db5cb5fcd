import { casesToRoute, RoutingInputSchema } from '#shared/routing/routing-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('ListCasesToRoute', RoutingInputSchema, casesToRoute);
