/** The nominator's pages: My nominations, and nominating a case (find, details, check, sent). */
import type { Context } from 'hono';
import { ApiRefused, callApi, errorsByField, type FieldErrors } from '../api.ts';
import type { Env, PageKit } from '../app.ts';
import {
  type Candidate,
  CONSENT_LABELS,
  describeCandidate,
  detailsErrors,
  type NominationDraft,
  type NominationItem,
  nominationListRows,
  nominationRequest,
  REASON_LABELS,
  VRR_LABELS,
} from '../pages/nominate.ts';

const DRAFT = 'nomination';

export function nominatingRoutes({ app, apiUrl, render }: PageKit): void {
  const draftOf = (c: Context<Env>): NominationDraft => {
    const session = c.get('session');
    if (!session) return {};
    session.drafts[DRAFT] ??= {};
    return session.drafts[DRAFT] as NominationDraft;
  };
  const userOf = (c: Context<Env>) => c.get('session')?.user;

  app.get('/nominations', async (c) => {
    const user = userOf(c);
    if (!user) return c.redirect('/sign-in', 302);
    const { items } = await callApi<{ items: NominationItem[] }>(apiUrl, user.idToken, 'GET', '/nominations');
    return render(c, 'nominations.njk', { title: 'My nominations', rows: nominationListRows(items) });
  });

  const find = (c: Context<Env>, errors: FieldErrors = []) =>
    render(
      c,
      'nominate-find.njk',
      { title: 'Find the decision', crimeReference: draftOf(c).crimeReference ?? '', errors },
      errors.length ? 400 : 200,
    );

  app.get('/nominate', (c) => (userOf(c) ? find(c) : c.redirect('/sign-in', 302)));

  app.post('/nominate', async (c) => {
    const user = userOf(c);
    if (!user) return c.redirect('/sign-in', 302);
    const draft = draftOf(c);
    const crimeReference = String((await c.req.parseBody()).crimeReference ?? '').trim();
    draft.crimeReference = crimeReference;
    if (!crimeReference) return find(c, [{ text: 'Enter the crime reference', href: '#crimeReference' }]);
    const { items } = await callApi<{ items: Candidate[] }>(
      apiUrl,
      user.idToken,
      'GET',
      `/nominations/candidates?crimeReference=${encodeURIComponent(crimeReference)}`,
    ).catch((error: unknown) => {
      if (error instanceof ApiRefused && [400, 404].includes(error.status)) return { items: [] };
      throw error;
    });
    if (items.length === 0) {
      return find(c, [
        {
          text: 'No decision to take no further action or to file has this crime reference',
          href: '#crimeReference',
        },
      ]);
    }
    draft.candidates = items;
    const eligible = items.filter((candidate) => candidate.eligible);
    if (eligible.length === 1) draft.decisionId = eligible[0]?.decisionId;
    return c.redirect('/nominate/details', 303);
  });

  const details = (c: Context<Env>, errors: FieldErrors = []) => {
    const draft = draftOf(c);
    if (!draft.candidates) return c.redirect('/nominate', 302);
    return render(
      c,
      'nominate-details.njk',
      {
        title: 'Why you are nominating it',
        draft,
        decisions: draft.candidates.map((candidate) => ({
          value: candidate.decisionId,
          text: describeCandidate(candidate),
          checked: candidate.decisionId === draft.decisionId,
          disabled: !candidate.eligible,
          hint: {
            text: candidate.eligible
              ? 'Can be nominated'
              : `Cannot be nominated: ${candidate.reason ?? 'not eligible'}`,
          },
        })),
        reasons: Object.entries(REASON_LABELS).map(([value, text]) => ({
          value,
          text,
          checked: draft.reasonCodes?.includes(value) ?? false,
        })),
        consents: Object.entries(CONSENT_LABELS).map(([value, text]) => ({
          value,
          text,
          checked: draft.victimConsent === value,
        })),
        vrrStatuses: Object.entries(VRR_LABELS).map(([value, text]) => ({
          value,
          text,
          checked: draft.vrrStatus === value,
        })),
        errors,
        errorFor: errorsByField(errors),
      },
      errors.length ? 400 : 200,
    );
  };

  app.get('/nominate/details', (c) => (userOf(c) ? details(c) : c.redirect('/sign-in', 302)));

  app.post('/nominate/details', async (c) => {
    if (!userOf(c)) return c.redirect('/sign-in', 302);
    const form = await c.req.parseBody({ all: true });
    const draft = draftOf(c);
    const text = (name: string) => (typeof form[name] === 'string' ? String(form[name]) : undefined);
    const reasons = form.reasonCodes;
    Object.assign(draft, {
      decisionId: text('decisionId'),
      reasonCodes: (Array.isArray(reasons) ? reasons : reasons === undefined ? [] : [reasons])
        .map(String)
        .filter((code) => code in REASON_LABELS),
      freeText: text('freeText') ?? '',
      victimConsent: text('victimConsent'),
      victimWishes: text('victimWishes') ?? '',
      vrrStatus: text('vrrStatus'),
    } satisfies NominationDraft);
    const errors = detailsErrors(draft);
    return errors.length ? details(c, errors) : c.redirect('/nominate/check', 303);
  });

  const check = (c: Context<Env>, errors: FieldErrors = []) => {
    const draft = draftOf(c);
    if (detailsErrors(draft).length) return c.redirect('/nominate/details', 302);
    const chosen = draft.candidates?.find((candidate) => candidate.decisionId === draft.decisionId);
    const change = (href: string, what: string) => ({
      items: [{ href, text: 'Change', visuallyHiddenText: what }],
    });
    const row = (key: string, value: string, href: string) => ({
      key: { text: key },
      value: { text: value },
      actions: change(href, key.toLowerCase()),
    });
    return render(
      c,
      'nominate-check.njk',
      {
        title: 'Check your answers before sending the nomination',
        rows: [
          row('Crime reference', draft.crimeReference ?? '', '/nominate'),
          row('Decision', chosen ? describeCandidate(chosen) : '', '/nominate/details#decisionId'),
          row(
            'Reasons',
            (draft.reasonCodes ?? []).map((code) => REASON_LABELS[code]).join('; '),
            '/nominate/details#reasonCodes',
          ),
          row('In your words', draft.freeText || 'None given', '/nominate/details#freeText'),
          row(
            "Victim's consent",
            CONSENT_LABELS[draft.victimConsent ?? ''] ?? '',
            '/nominate/details#victimConsent',
          ),
          row("Victim's wishes", draft.victimWishes || 'None given', '/nominate/details#victimWishes'),
          row(
            'Victims’ Right to Review',
            VRR_LABELS[draft.vrrStatus ?? ''] ?? '',
            '/nominate/details#vrrStatus',
          ),
        ],
        errors,
      },
      errors.length ? 400 : 200,
    );
  };

  app.get('/nominate/check', (c) => (userOf(c) ? check(c) : c.redirect('/sign-in', 302)));

  app.post('/nominate/check', async (c) => {
    const user = userOf(c);
    if (!user) return c.redirect('/sign-in', 302);
    const draft = draftOf(c);
    if (detailsErrors(draft).length) return c.redirect('/nominate/details', 302);
    try {
      const sent = await callApi<{ nominationId: string }>(
        apiUrl,
        user.idToken,
        'POST',
        '/nominations',
        nominationRequest(draft),
      );
      delete c.get('session')?.drafts[DRAFT];
      return render(c, 'nominate-sent.njk', { title: 'Nomination sent', reference: sent.nominationId });
    } catch (error) {
      if (!(error instanceof ApiRefused) || ![400, 409].includes(error.status)) throw error;
      const issues = (error.body.issues as { reason?: string }[] | undefined) ?? [];
      const reasons = issues.length
        ? issues.map((issue) => String(issue.reason))
        : [String(error.body.message)];
      return check(
        c,
        reasons.map((reason) => ({
          text: `The nomination was not accepted: ${reason}`,
          href: '/nominate/details',
        })),
      );
    }
  });
}
