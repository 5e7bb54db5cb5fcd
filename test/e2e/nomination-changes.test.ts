/**
 * A nominator's part after nominating, against the whole local system: a change of the victim's
 * consent or wishes is a new version (the case shows the latest, the chair is told at once of
 * withdrawn consent); a withdrawal takes the case off the agenda when nothing else holds it; the
 * nominator hears each step and reads the outcome as published; and among several NFA decisions
 * on one crime they choose by a safe description.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { daysAgo, type LocalStack, startLocalStack } from '../support/local-stack.ts';
import {
  assignedCase,
  caseRecord,
  findingFor,
  reviewCase,
  reviewersOf,
  reviewerToken,
  submitAndConclude,
} from '../support/review.ts';

let stack: LocalStack;
let decisions: Awaited<ReturnType<LocalStack['eligibleDecisions']>>;
const SITTING = 'sit_2027q1';

/** A crime with two NFA decisions (the police's, then the CPS's) and a charge, added to the export. */
const SHARED_CRIME = 'NOM/4242/26';
const sharedCrimeRows = [
  [SHARED_CRIME, 'rape', 'Y', '15', 'police', daysAgo(90)],
  [SHARED_CRIME, 'rape', 'Y', '15', 'cps', daysAgo(40)],
  [SHARED_CRIME, 'rape', 'Y', '1', 'police', daysAgo(20)],
].map((fields) =>
  [
    ...fields,
    'PPU',
    'DM-0901',
    'OIC-0902',
    'Y',
    'Y',
    'released_under_investigation',
    'none',
    'Y',
    'Y',
    'Synthetic record. Officer OIC-0902 wrote a summary nobody but the panel reads.',
  ].join(','),
);

const nominationOf = async (index: number, as = 'isva') => {
  const response = await stack.nominate(String(decisions[index]?.decisionId), as);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { nominationId: string; caseId: string };
};
const update = (nominationId: string, body: unknown, as = 'isva') =>
  stack.api('PUT', `/nominations/${nominationId}`, { as, body });
const withdraw = (nominationId: string, reason: string, as = 'isva') =>
  stack.api('POST', `/nominations/${nominationId}/withdrawal`, { as, body: { reason } });
const read = async (nominationId: string, as = 'isva') => {
  const response = await stack.api('GET', `/nominations/${nominationId}`, { as });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};
const storedCase = (caseId: string) => caseRecord(stack, caseId);
const notifications = async (as: string) =>
  (await stack.api('GET', '/notifications', { as })).body.items as Record<string, string>[];
const waitingCase = async (caseId: string) =>
  (
    (await stack.api('GET', '/cases?limit=200', { as: 'chair' })).body.items as Record<string, unknown>[]
  ).find((item) => item.caseId === caseId);
const putOnAgenda = async (caseIds: string[]) => {
  const response = await stack.api('POST', `/sittings/${SITTING}/agenda`, { as: 'chair', body: { caseIds } });
  expect(response.body.added, JSON.stringify(response.body)).toEqual(caseIds);
};
const agenda = async () =>
  (await stack.api('GET', `/sittings/${SITTING}`, { as: 'chair' })).body.agenda as string[];

beforeAll(async () => {
  stack = await startLocalStack();
  await seedDemoPanel();
  for (const { reviewerId } of DEMO_REVIEWERS) await reviewerToken(stack, reviewerId);
  const csv = syntheticForceExport({ count: 60, seed: 2718 });
  await stack.importDecisions(`${csv.trimEnd()}\n${sharedCrimeRows.join('\n')}\n`, 'admin');
  // The shared crime's rows come last: the synthetic decisions keep their places.
  decisions = await stack.eligibleDecisions();
});
afterAll(async () => stack?.close());

describe('changing a nomination', () => {
  it('keeps each change as a version, shows the latest on the case, and changes nothing on a resend', async () => {
    const { nominationId, caseId } = await nominationOf(0);

    const changed = await update(nominationId, {
      victimWishes: 'to be told of the outcome by the ISVA',
      vrrStatus: 'upheld',
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({
      version: 2,
      victimWishes: 'to be told of the outcome by the ISVA',
      vrrStatus: 'upheld',
      victimConsent: 'consents',
    });
    const again = await update(nominationId, { vrrStatus: 'upheld' });
    expect(again.body).toMatchObject({ version: 2 });

    const view = await read(nominationId);
    expect(
      (view.versions as Record<string, unknown>[]).map((v) => [v.version, v.vrrStatus, v.victimWishes]),
    ).toEqual([
      [1, 'requested', undefined],
      [2, 'upheld', 'to be told of the outcome by the ISVA'],
    ]);
    expect(await waitingCase(caseId)).toMatchObject({ victimConsent: 'consents', nominations: 1 });
  });

  it("flags a victim's withdrawn consent to the chairs at once, and the case shows it", async () => {
    const { nominationId, caseId } = await nominationOf(1);
    const changed = await update(nominationId, { victimConsent: 'does_not_consent' });
    expect(changed.body).toMatchObject({ version: 2, victimConsent: 'does_not_consent' });

    expect(await notifications('chair')).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'consent-withdrawn', caseId, nominationId })]),
    );
    expect(await waitingCase(caseId)).toMatchObject({ victimConsent: 'does_not_consent' });
    // A change back and forth is a new version each time; telling the chair again is not needed.
    await update(nominationId, { victimConsent: 'consents' });
    expect((await read(nominationId)).versions).toHaveLength(3);
  });

  it("answers another nominator's nomination as missing, and refuses an empty change", async () => {
    const { nominationId } = await nominationOf(2);
    expect((await update(nominationId, { victimConsent: 'does_not_consent' }, 'cps')).status).toBe(404);
    expect((await withdraw(nominationId, 'not mine to withdraw at all', 'cps')).status).toBe(404);
    expect((await update(nominationId, {})).status).toBe(400);
    expect((await read(nominationId)).version ?? 1).toBe(1);
  });
});

describe('withdrawing a nomination', () => {
  it('withdraws a case nothing else holds; the nominator cannot nominate it again, another can', async () => {
    const { nominationId, caseId } = await nominationOf(3);
    const withdrawn = await withdraw(nominationId, 'the victim asked for the nomination to be withdrawn');
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', case: { caseId, outcome: 'withdrawn' } });
    expect(withdrawn.body.withdrawn).toMatchObject({
      reason: 'the victim asked for the nomination to be withdrawn',
    });
    expect(await storedCase(caseId)).toMatchObject({
      status: 'WITHDRAWN',
      withdrawn: { by: 'demo-isva', why: 'the victim asked for the nomination to be withdrawn' },
    });
    expect(await waitingCase(caseId)).toBeUndefined();
    expect(await notifications('chair')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'nomination-withdrawn', caseId, nominationId }),
      ]),
    );
    expect((await update(nominationId, { vrrStatus: 'upheld' })).status).toBe(409);
    const resent = await withdraw(nominationId, 'the victim asked for the nomination to be withdrawn');
    expect(resent.body).toMatchObject({ status: 'withdrawn', case: { outcome: 'withdrawn' } });

    expect((await stack.nominate(String(decisions[3]?.decisionId))).status).toBe(409);
    const other = await nominationOf(3, 'cps');
    expect(other.caseId).not.toBe(caseId);
    expect(await read(other.nominationId, 'cps')).toMatchObject({ status: 'received' });
  });

  it('keeps the case while another nomination holds it', async () => {
    const first = await nominationOf(4);
    const second = await nominationOf(4, 'police');
    expect(second.caseId).toBe(first.caseId);
    const withdrawn = await withdraw(first.nominationId, 'the victim moved to another force area');
    expect(withdrawn.body).toMatchObject({
      status: 'withdrawn',
      case: { outcome: 'kept', reason: '1 other nomination(s) hold it' },
    });
    expect(await storedCase(first.caseId)).toMatchObject({ status: 'OPEN' });
    expect(await waitingCase(first.caseId)).toMatchObject({ nominations: 1 });
    expect(await read(second.nominationId, 'police')).toMatchObject({ status: 'received' });

    // The last one withdrawn, the case goes.
    const last = await withdraw(second.nominationId, 'the victim moved to another force area', 'police');
    expect(last.body).toMatchObject({ case: { outcome: 'withdrawn' } });
    expect(await storedCase(first.caseId)).toMatchObject({ status: 'WITHDRAWN' });
  });
});

describe('withdrawing nominations at once', () => {
  it('withdraws the case when its last nominations are withdrawn at the same moment', async () => {
    const nominators = ['isva', 'cps', 'police'];
    const held = [];
    for (const as of nominators) held.push({ as, ...(await nominationOf(9, as)) });
    const answers = await Promise.all(
      held.map(({ as, nominationId }) => withdraw(nominationId, 'the victim asked for it to stop', as)),
    );
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(
      answers.filter((answer) => (answer.body.case as { outcome: string }).outcome === 'withdrawn'),
    ).toHaveLength(1);
    expect(await storedCase(String(held[0]?.caseId))).toMatchObject({ status: 'WITHDRAWN' });
  });
});

describe('a nominated case on the agenda', () => {
  let routed: { nominationId: string; caseId: string };
  let reviewed: { nominationId: string; caseId: string };
  let concluded: { nominationId: string; caseId: string };

  beforeAll(async () => {
    routed = await nominationOf(5);
    reviewed = await nominationOf(6);
    concluded = await nominationOf(7);
    await putOnAgenda([routed.caseId, reviewed.caseId, concluded.caseId]);
    const routing = await stack.routeSitting(SITTING);
    expect(routing.status).toBe('SUCCEEDED');
  });

  it('tells the nominator it is on the agenda, then in review', async () => {
    const told = await notifications('isva');
    for (const { caseId, nominationId } of [routed, reviewed, concluded]) {
      expect(told).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'nomination-on-agenda', caseId, nominationId, sittingId: SITTING }),
          expect.objectContaining({ kind: 'nomination-in-review', caseId, nominationId, sittingId: SITTING }),
        ]),
      );
    }
    expect(await read(routed.nominationId)).toMatchObject({ status: 'in_review', sittingId: SITTING });
    expect((await read(routed.nominationId)).outcome).toBeUndefined();
  });

  it('takes a withdrawn case off the agenda, its assignments withdrawn and their reviewers told', async () => {
    const reviewers = await reviewersOf(stack, routed.caseId);
    expect(reviewers).toHaveLength(2);
    const withdrawn = await withdraw(routed.nominationId, 'the victim no longer wants a review');
    expect(withdrawn.body).toMatchObject({ case: { outcome: 'withdrawn' } });
    expect(await agenda()).not.toContain(routed.caseId);
    const stored = await storedCase(routed.caseId);
    expect(stored).toMatchObject({ status: 'WITHDRAWN' });
    expect(stored?.sittingId).toBeUndefined();
    const { caseHistory, getAssignment, assignmentIdOf } = await import(
      '../../shared/routing/assignment-store.ts'
    );
    for (const reviewerId of reviewers) {
      expect((await getAssignment(assignmentIdOf(routed.caseId, SITTING, reviewerId)))?.status).toBe(
        'withdrawn',
      );
    }
    expect((await caseHistory(routed.caseId)).map((event) => event.action)).toEqual(
      expect.arrayContaining(['taken-off-agenda', 'withdrawn-by-nominator']),
    );
    const token = await reviewerToken(stack, String(reviewers[0]));
    expect((await stack.api('GET', '/notifications', { token })).body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'assignment-withdrawn', caseId: routed.caseId }),
      ]),
    );
  });

  it('keeps a case a reviewer has made a finding on, and tells the chair', async () => {
    const [reviewerId] = await reviewersOf(stack, reviewed.caseId);
    const token = await reviewerToken(stack, String(reviewerId));
    const view = await assignedCase(stack, token, reviewed.caseId);
    expect((await submitAndConclude(stack, token, view, findingFor(view, 'consistent'))).status).toBe(201);

    const withdrawn = await withdraw(reviewed.nominationId, 'the victim no longer wants a review');
    expect(withdrawn.body).toMatchObject({
      status: 'withdrawn',
      case: { outcome: 'kept', reason: 'reviewers have made findings on it' },
    });
    expect(await agenda()).toContain(reviewed.caseId);
    expect((await storedCase(reviewed.caseId))?.status).not.toBe('WITHDRAWN');
    // The reviewers no longer read the withdrawn nomination with the case.
    expect((await assignedCase(stack, token, reviewed.caseId)).nominations).toEqual([]);
    expect(await notifications('chair')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'nomination-withdrawn',
          caseId: reviewed.caseId,
          sittingId: SITTING,
        }),
      ]),
    );
  });

  it('shows the verdict and the accepted recommendations once concluded, never the findings', async () => {
    const reviewers = await reviewersOf(stack, concluded.caseId);
    for (const reviewerId of reviewers) {
      const token = await reviewerToken(stack, reviewerId);
      const view = await assignedCase(stack, token, concluded.caseId);
      const finding = {
        ...findingFor(view, 'consistent'),
        verdictRationale: 'A rationale only the panel reads',
        recommendations: [
          { text: 'Brief officers on bail conditions', owner: 'Head of PPU', dueDate: '2030-06-30' },
        ],
      };
      expect((await submitAndConclude(stack, token, view, finding)).status).toBe(201);
    }
    expect(await notifications('isva')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'nomination-concluded', caseId: concluded.caseId }),
      ]),
    );
    const before = await read(concluded.nominationId);
    expect(before).toMatchObject({
      status: 'concluded',
      outcome: { verdict: 'consistent', recommendations: [] },
    });

    const proposals = (await stack.api('GET', '/recommendations', { as: 'chair' })).body.items as {
      recommendationId: string;
      caseId: string;
      status: string;
    }[];
    const proposal = proposals.find((r) => r.caseId === concluded.caseId && r.status === 'proposed');
    const accepted = await stack.api('POST', `/recommendations/${proposal?.recommendationId}/decision`, {
      as: 'chair',
      body: { decision: 'accept' },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);

    const after = await read(concluded.nominationId);
    expect(after.outcome).toEqual({
      verdict: 'consistent',
      concludedAt: expect.stringMatching(/^\d{4}-/),
      recommendations: [
        {
          text: 'Brief officers on bail conditions',
          owner: 'Head of PPU',
          dueDate: '2030-06-30',
          status: 'open',
        },
      ],
    });
    const listed = (await stack.api('GET', '/nominations', { as: 'isva' })).body.items as Record<
      string,
      unknown
    >[];
    expect(listed.find((n) => n.nominationId === concluded.nominationId)).toMatchObject({
      outcome: after.outcome,
    });
    const text = JSON.stringify(after);
    expect(text).not.toContain('A rationale only the panel reads');
    expect(text).not.toContain('rev_');
    expect(text).not.toContain('Seen in the file');
  });

  it('keeps every version of a nomination in the evidence pack', async () => {
    const second = await nominationOf(8);
    await update(second.nominationId, { victimWishes: 'a letter explaining the outcome' });
    await putOnAgenda([second.caseId]);
    await stack.routeSitting(SITTING);
    await reviewCase(stack, second.caseId, ['consistent', 'consistent']);
    const pack = await stack.api('GET', `/cases/${second.caseId}/pack`, { as: 'auditor' });
    expect(pack.status, JSON.stringify(pack.body)).toBe(200);
    const files = pack.body.files as { name: string; url: string }[];
    const url = files.find((file) => file.name === 'nominations.json')?.url;
    const nominations = (await (await fetch(String(url))).json()) as {
      versions: { version: number; victimWishes?: string }[];
    }[];
    expect(nominations[0]?.versions.map((v) => [v.version, v.victimWishes])).toEqual([
      [1, undefined],
      [2, 'a letter explaining the outcome'],
    ]);
  });
});

describe('choosing among the decisions on one crime', () => {
  it('describes each NFA decision safely, without a summary or anyone’s identifiers', async () => {
    const response = await stack.api(
      'GET',
      `/nominations/candidates?crimeReference=${encodeURIComponent(SHARED_CRIME)}`,
      {
        as: 'isva',
      },
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const items = response.body.items as Record<string, unknown>[];
    expect(
      items.map(({ decidingBody, decisionMonth, outcome, decisionType, eligible }) => ({
        decidingBody,
        decisionMonth,
        outcome,
        decisionType,
        eligible,
      })),
    ).toEqual([
      {
        decidingBody: 'police',
        decisionMonth: daysAgo(90).slice(0, 7),
        outcome: '15',
        decisionType: 'police_nfa',
        eligible: true,
      },
      {
        decidingBody: 'cps',
        decisionMonth: daysAgo(40).slice(0, 7),
        outcome: '15',
        decisionType: 'cps_nfa',
        eligible: true,
      },
    ]);
    const text = JSON.stringify(items);
    for (const hidden of ['Synthetic record', 'OIC', 'DM-', 'PPU', SHARED_CRIME])
      expect(text).not.toContain(hidden);

    // By reference alone the choice is refused; by the chosen id it is made.
    const ambiguous = await stack.api('POST', '/nominations', {
      as: 'isva',
      body: {
        crimeReference: SHARED_CRIME,
        reasonCodes: ['delay'],
        victimConsent: 'consents',
        vrrStatus: 'unknown',
      },
    });
    expect(ambiguous.status).toBe(400);
    const chosen = await stack.nominate(String(items[1]?.decisionId));
    expect(chosen.status).toBe(201);
    expect(chosen.body.decisionId).toBe(items[1]?.decisionId);
  });

  it('is for nominators only, and GET /decisions stays closed to them', async () => {
    const query = `?crimeReference=${encodeURIComponent(SHARED_CRIME)}`;
    expect((await stack.api('GET', `/nominations/candidates${query}`, { as: 'chair' })).status).toBe(403);
    expect((await stack.api('GET', `/decisions${query}`, { as: 'isva' })).status).toBe(403);
    const unknown = await stack.api('GET', '/nominations/candidates?crimeReference=NOBODY%2F1', {
      as: 'police',
    });
    expect(unknown.body).toEqual({ items: [] });
  });
});
