/**
 * The demo Rape Scrutiny Panel: the demo personas who sit on it, synthetic reviewers from each
 * agency so routing has a realistic pool, and the next two quarterly sittings.
 */
import type { Panel, Reviewer, Sitting } from '../shared/panels/panel.ts';
import { DEMO_USERS } from './demo-users.ts';

const subjectOf = (username: string) => DEMO_USERS.find((user) => user.username === username)?.sub;

const reviewer = (
  reviewerId: string,
  name: string,
  agency: Reviewer['agency'],
  unit: string | undefined,
  options: { username?: string; capacity?: number; conflicts?: string[] } = {},
): Reviewer => {
  const subject = options.username ? subjectOf(options.username) : undefined;
  return {
    reviewerId,
    ...(subject ? { subject } : {}),
    name,
    agency,
    ...(unit ? { unit } : {}),
    capacityPerSitting: options.capacity ?? 4,
    standingConflicts: options.conflicts ?? [],
    active: true,
  };
};

export const DEMO_REVIEWERS: readonly Reviewer[] = [
  reviewer('rev_morgan', 'Morgan Panellist', 'independent', undefined, { username: 'panel' }),
  reviewer('rev_robin', 'Robin Panellist', 'isva', 'ISVA Service North', { username: 'panel2' }),
  reviewer('rev_charlie', 'Charlie Chair', 'independent', undefined, { username: 'chair', capacity: 2 }),
  reviewer('rev_dana', 'Dana Inspector', 'police', 'PPU North', { conflicts: ['DM-0007'] }),
  reviewer('rev_eli', 'Eli Sergeant', 'police', 'FCID'),
  reviewer('rev_frankie', 'Frankie Lawyer', 'cps', 'CPS RASSO Unit', { capacity: 3 }),
  reviewer('rev_gale', 'Gale Advisor', 'isva', 'ISVA Service South'),
  reviewer('rev_harper', 'Dr Harper Scholar', 'academic', 'University Criminology'),
  reviewer('rev_indy', 'Indy Nurse', 'health', 'Sexual Assault Referral Centre'),
  reviewer('rev_jules', 'Jules Officer', 'local_authority', 'Community Safety', { capacity: 3 }),
];

/** The audit team's reviewers: they review the dip samples they draw, in audit review rounds. */
export const DEMO_AUDITORS: readonly Reviewer[] = [
  reviewer('rev_alex', 'Alex Auditor', 'police', 'Force Audit and Inspection', {
    username: 'auditor',
    capacity: 20,
  }),
  reviewer('rev_avery', 'Avery Auditor', 'police', 'Force Audit and Inspection', {
    username: 'auditor2',
    capacity: 20,
  }),
];

export const DEMO_PANEL: Panel = {
  panelId: 'pan_rsp',
  kind: 'panel',
  name: 'Rape Scrutiny Panel',
  chairSubject: subjectOf('chair') ?? 'demo-chair',
  memberReviewerIds: DEMO_REVIEWERS.map((r) => r.reviewerId),
};

const DAY_MS = 86_400_000;
const daysFromToday = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The demo panel's next two sittings, dated from today (seven and twenty weeks ahead, findings a
 * week before each), so the demo never starts with sittings that have met or deadlines gone by.
 */
export const DEMO_SITTINGS: readonly Sitting[] = [
  {
    sittingId: 'sit_2027q1',
    panelId: 'pan_rsp',
    date: daysFromToday(49),
    findingsDeadline: daysFromToday(42),
    status: 'PLANNED',
    agenda: [],
    maxCases: 12,
    reviewersPerCase: 2,
  },
  {
    sittingId: 'sit_2027q2',
    panelId: 'pan_rsp',
    date: daysFromToday(140),
    findingsDeadline: daysFromToday(133),
    status: 'PLANNED',
    agenda: [],
    maxCases: 12,
    reviewersPerCase: 2,
  },
];
