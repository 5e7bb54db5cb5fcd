import { RouteOneCaseInputSchema, routeOneCase } from '#shared/routing/routing-workflow';
import { workflowStep } from '#shared/workflow-step';

export const handler = workflowStep('RouteCase', RouteOneCaseInputSchema, routeOneCase);
