/** The reviewer's pages: My cases, a case, declining it with a conflict. */
import type { Context } from 'hono';
import { ApiRefused, callApi, errorsByField, type FieldErrors, type FormState, fieldErrors } from '../api.ts';
import type { Env, PageKit } from '../app.ts';
import { decisionRows, nominationRows, type ReviewerCase } from '../pages/case.ts';
import {
  ANSWER_ITEMS,
  anchorOf,
  applicableQuestions,
  draftFromForm,
  type FindingDraft,
  findingErrors,
  findingRequest,
  LEARNING_LEVEL_ITEMS,
  VERDICT_ITEMS,
} from '../pages/findings.ts';
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

  /** The signed-in reviewer and a well-formed assignment id, or the answer to give instead. */
  const reviewer = (c: Context<Env>) => {
    const user = c.get('session')?.user;
    const { assignmentId } = c.req.param() as { assignmentId: string };
    if (!user) return { answer: c.redirect('/sign-in', 302) };
    if (!assignmentPath.test(assignmentId)) return { answer: notFound(c) };
    return { user, assignmentId };
  };

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
    const { answer, user, assignmentId } = reviewer(c);
    return answer ?? showCase(c, user, assignmentId);
  });

  app.post('/my-cases/:assignmentId/decline', async (c) => {
    const { answer, user, assignmentId } = reviewer(c);
    if (answer) return answer;
    const conflict = String((await c.req.parseBody()).conflict ?? '');
    try {
      await callApi(apiUrl, user.idToken, 'POST', `/assignments/${assignmentId}/decline`, {
        conflict,
      });
    } catch (error) {
      const errors = fieldErrors(error, (field) => (field === 'body.conflict' ? '#conflict' : undefined));
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

  const caseView = (user: SignedIn, assignmentId: string) =>
    callApi<ReviewerCase>(apiUrl, user.idToken, 'GET', `/assignments/${assignmentId}/case`);
  const draftKey = (assignmentId: string) => `finding:${assignmentId}`;
  const draftOf = (c: Context<Env>, assignmentId: string): FindingDraft => {
    const drafts = c.get('session')?.drafts ?? {};
    drafts[draftKey(assignmentId)] ??= { answers: {} };
    return drafts[draftKey(assignmentId)] as FindingDraft;
  };
  const findingForm = async (
    c: Context<Env>,
    user: SignedIn,
    assignmentId: string,
    errors: FieldErrors = [],
  ) => {
    const view = await caseView(user, assignmentId);
    const draft = draftOf(c, assignmentId);
    const checked = (items: readonly { value: string; text: string }[], value: string | undefined) =>
      items.map((item) => ({ ...item, checked: item.value === value }));
    return render(
      c,
      'findings.njk',
      {
        title: `Your finding on case ${view.case.caseId}`,
        assignmentId,
        caseId: view.case.caseId,
        questionSetVersion: view.questionSet.version,
        questions: applicableQuestions(view.questionSet, view.decision as never).map((question) => ({
          id: question.questionId,
          text: question.text,
          required: question.required,
          items: checked(ANSWER_ITEMS, draft.answers[question.questionId]?.code),
          rationale: draft.answers[question.questionId]?.rationale ?? '',
        })),
        verdicts: checked(VERDICT_ITEMS, draft.verdict),
        learningLevels: checked(LEARNING_LEVEL_ITEMS, draft.learningLevel),
        draft,
        errors,
        errorFor: errorsByField(errors),
      },
      errors.length ? 400 : 200,
    );
  };

  app.get('/my-cases/:assignmentId/findings', async (c) => {
    const { answer, user, assignmentId } = reviewer(c);
    return answer ?? findingForm(c, user, assignmentId);
  });

  app.post('/my-cases/:assignmentId/findings', async (c) => {
    const { answer, user, assignmentId } = reviewer(c);
    if (answer) return answer;
    const view = await caseView(user, assignmentId);
    const questions = applicableQuestions(view.questionSet, view.decision as never);
    const draft = Object.assign(draftOf(c, assignmentId), draftFromForm(questions, await c.req.parseBody()));
    const errors = findingErrors(questions, draft);
    return errors.length
      ? findingForm(c, user, assignmentId, errors)
      : c.redirect(`/my-cases/${assignmentId}/findings/check`, 303);
  });

  app.get('/my-cases/:assignmentId/findings/check', async (c) => {
    const { answer, user, assignmentId } = reviewer(c);
    if (answer) return answer;
    const view = await caseView(user, assignmentId);
    const questions = applicableQuestions(view.questionSet, view.decision as never);
    const draft = draftOf(c, assignmentId);
    if (findingErrors(questions, draft).length) return c.redirect(`/my-cases/${assignmentId}/findings`, 302);
    const label = (items: readonly { value: string; text: string }[], value: string | undefined) =>
      items.find((item) => item.value === value)?.text ?? 'Not answered';
    const row = (key: string, value: string, anchor: string) => ({
      key: { text: key },
      value: { text: value },
      actions: {
        items: [
          { href: `/my-cases/${assignmentId}/findings#${anchor}`, text: 'Change', visuallyHiddenText: key },
        ],
      },
    });
    const answerRows = questions.map((question) => {
      const given = draft.answers[question.questionId];
      const rationale = given?.rationale?.trim() ? `: ${given.rationale}` : '';
      return row(
        question.text,
        `${label(ANSWER_ITEMS, given?.code)}${rationale}`,
        `answer-${question.questionId}`,
      );
    });
    return render(c, 'findings-check.njk', {
      title: 'Check your finding before you submit it',
      assignmentId,
      rows: [
        ...answerRows,
        row('Verdict', label(VERDICT_ITEMS, draft.verdict), 'verdict'),
        row('Why', draft.verdictRationale ?? '', 'verdictRationale'),
        row('Good practice', draft.goodPractice || 'None given', 'goodPractice'),
        row('Learning point', draft.learningPoint || 'None given', 'learningPoint'),
        row('Themes', draft.themes || 'None given', 'themes'),
      ],
    });
  });

  app.post('/my-cases/:assignmentId/findings/check', async (c) => {
    const { answer, user, assignmentId } = reviewer(c);
    if (answer) return answer;
    const view = await caseView(user, assignmentId);
    const draft = draftOf(c, assignmentId);
    try {
      await callApi(
        apiUrl,
        user.idToken,
        'POST',
        `/assignments/${assignmentId}/findings`,
        findingRequest(view.questionSet.version, draft),
      );
    } catch (error) {
      if (!(error instanceof ApiRefused) || error.status !== 400) throw error;
      const errors = fieldErrors(error, (field) => anchorOf(field) ?? '#verdict');
      return findingForm(
        c,
        user,
        assignmentId,
        errors ?? [{ text: String(error.body.message), href: '#verdict' }],
      );
    }
    delete c.get('session')?.drafts[draftKey(assignmentId)];
    return message(
      c,
      200,
      'Finding submitted',
      [
        'Your finding is recorded. When every reviewer of the case has submitted, it is concluded or goes to the chair.',
      ],
      { href: '/my-cases', text: 'Back to my cases' },
    );
  });
}
