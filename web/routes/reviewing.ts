/** The reviewer's pages: My cases, a case, declining it with a conflict. */
import type { Context } from 'hono';
import { callApi, type FormState, fieldErrors } from '../api.ts';
import type { Env, PageKit } from '../app.ts';
import { decisionRows, nominationRows, type ReviewerCase } from '../pages/case.ts';
import { myCasesRows } from '../pages/my-cases.ts';
import type { SignedIn } from '../sessions.ts';

export function reviewingRoutes({ app, apiUrl, render, message, notFound }: PageKit): void {
  app.get('/my-cases', async (c) => {
    const user = c.get('session')?.user;
    if (!user) return c.redirect('/sign-in', 302);
    const { items } = await callApi<{ items: Parameters<typeof myCasesRows>[0] }>(
      apiUrl,
      user.idToken,
      'GET',
      '/assignments',
    );
    return render(c, 'my-cases.njk', { title: 'My cases', rows: myCasesRows(items) });
  });

  const assignmentPath = /^asg_[0-9a-z]{26}$/;

  const showCase = async (c: Context<Env>, user: SignedIn, assignmentId: string, form?: FormState) => {
    const view = await callApi<ReviewerCase>(
      apiUrl,
      user.idToken,
      'GET',
      `/assignments/${assignmentId}/case`,
    );
    return render(
      c,
      'case.njk',
      {
        title: `Case ${view.case.caseId}`,
        view,
        decisionRows: decisionRows(view.decision),
        nominations: view.nominations.map(nominationRows),
        files: view.caseFiles.files,
        conflict: form?.values.conflict ?? '',
        errors: form?.errors ?? [],
      },
      form?.errors.length ? 400 : 200,
    );
  };

  app.get('/my-cases/:assignmentId', async (c) => {
    const user = c.get('session')?.user;
    if (!user) return c.redirect('/sign-in', 302);
    const { assignmentId } = c.req.param();
    if (!assignmentPath.test(assignmentId)) return notFound(c);
    return showCase(c, user, assignmentId);
  });

  app.post('/my-cases/:assignmentId/decline', async (c) => {
    const user = c.get('session')?.user;
    if (!user) return c.redirect('/sign-in', 302);
    const { assignmentId } = c.req.param();
    if (!assignmentPath.test(assignmentId)) return notFound(c);
    const conflict = String((await c.req.parseBody()).conflict ?? '');
    try {
      await callApi(apiUrl, user.idToken, 'POST', `/assignments/${assignmentId}/decline`, {
        conflict,
      });
    } catch (error) {
      const errors = fieldErrors(error, { 'body.conflict': '#conflict' });
      if (!errors) throw error;
      return showCase(c, user, assignmentId, { values: { conflict }, errors });
    }
    return message(
      c,
      200,
      'You declined the case',
      ['It goes to another reviewer. Your conflict is recorded with it.'],
      {
        href: '/my-cases',
        text: 'Back to my cases',
      },
    );
  });
}
