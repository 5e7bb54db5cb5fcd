/** The steps of the routing workflow (workflows/route-cases.ts). */
import { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import { getSitting } from '../panels/panel-store.ts';
import { caseReviewers } from './assignment-store.ts';
import { ROUTABLE, routeAndAssign } from './assignments.ts';

export const RoutingInputSchema = z.object({
  sittingId: z.string(),
  requestedBy: z.object({ subject: z.string() }),
  execution: z.object({ id: z.string() }),
});

/** The agenda's cases still waiting for reviewers, in agenda order. */
export async function casesToRoute(input: z.infer<typeof RoutingInputSchema>) {
  const sitting = await getSitting(input.sittingId);
  const waiting: string[] = [];
  for (const caseId of sitting.agenda) {
    const reviewCase = await caseReviewers(caseId).catch((error) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (reviewCase && ROUTABLE.includes(reviewCase.status)) waiting.push(caseId);
  }
  return { caseIds: waiting };
}

export const RouteOneCaseInputSchema = RoutingInputSchema.extend({ caseId: z.string() });

export async function routeOneCase(input: z.infer<typeof RouteOneCaseInputSchema>) {
  const outcome = await routeAndAssign(input.caseId, input.sittingId, {
    subject: input.requestedBy.subject,
    requestId: input.execution.id,
  });
  return outcome.status === 'routed'
    ? {
        caseId: input.caseId,
        status: outcome.status,
        reviewers: outcome.picks.map((pick) => pick.reviewerId),
      }
    : { caseId: input.caseId, status: outcome.status, reason: outcome.reason };
}
