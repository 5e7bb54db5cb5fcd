import type { QuestionSetView } from './findings.ts';

/** The case page of an assignment: what a reviewer may read of the case, as summary-list rows. */

export interface ReviewerCase {
  readonly assignment: {
    assignmentId: string;
    caseId: string;
    sittingId: string;
    status: string;
    dueDate: string;
  };
  readonly case: { caseId: string; status: string; origin: string };
  readonly decision: Record<string, unknown>;
  readonly nominations: readonly Record<string, unknown>[];
  readonly questionSet: QuestionSetView;
  readonly caseFiles: {
    readonly files: readonly { name: string; url: string; bytes: number }[];
    readonly expiresAt: string;
  };
}

/** `police_nfa` → "Police nfa"; the stored codes, readable. */
export const readable = (code: string) => {
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const DECISION_TYPES: Readonly<Record<string, string>> = {
  police_nfa: 'Police: no further action',
  cps_nfa: 'CPS: no further action',
  filed: 'Filed',
};

const yesNo = (value: unknown) => (value === true ? 'Yes' : value === false ? 'No' : undefined);

const DECISION_FIELDS: readonly [string, string, (value: unknown) => string | undefined][] = [
  ['offenceGroup', 'Offence group', (v) => (typeof v === 'string' ? readable(v) : undefined)],
  ['decidingBody', 'Deciding body', (v) => (v === 'cps' ? 'CPS' : v === 'police' ? 'Police' : undefined)],
  [
    'decisionType',
    'Decision',
    (v) => (typeof v === 'string' ? (DECISION_TYPES[v] ?? readable(v)) : undefined),
  ],
  ['outcomeCode', 'Outcome code', (v) => (v === undefined ? undefined : String(v))],
  ['decisionDate', 'Decision date', (v) => (typeof v === 'string' ? v : undefined)],
  ['unit', 'Unit', (v) => (typeof v === 'string' ? v : undefined)],
  ['daMarker', 'Domestic abuse marker', yesNo],
  ['victimSupportsAction', 'Victim supports action', yesNo],
  ['suspectIdentified', 'Suspect identified', yesNo],
  ['custodyDisposal', 'Custody disposal', (v) => (typeof v === 'string' ? readable(v) : undefined)],
  [
    'protectiveMeasures',
    'Protective measures',
    (v) => (Array.isArray(v) ? (v.length ? v.map(String).map(readable).join(', ') : 'None') : undefined),
  ],
  ['thriveRecorded', 'THRIVE recorded', yesNo],
  ['victimsVoiceRecorded', "Victim's voice recorded", yesNo],
  ['summary', 'Summary', (v) => (typeof v === 'string' ? v : undefined)],
];

/** The decision's rows: only the fields it has. */
export function decisionRows(decision: Record<string, unknown>) {
  return DECISION_FIELDS.flatMap(([field, label, show]) => {
    const value = show(decision[field]);
    return value === undefined ? [] : [{ key: { text: label }, value: { text: value } }];
  });
}

/** Each live nomination's reasons and the victim's position, without who nominated. */
export function nominationRows(nomination: Record<string, unknown>) {
  const rows: [string, string | undefined][] = [
    [
      'Nominated by',
      typeof nomination.nominatorRole === 'string'
        ? readable(nomination.nominatorRole).toUpperCase()
        : undefined,
    ],
    [
      'Reasons',
      Array.isArray(nomination.reasonCodes)
        ? nomination.reasonCodes.map(String).map(readable).join(', ')
        : undefined,
    ],
    [
      'In their words',
      typeof nomination.freeText === 'string' && nomination.freeText.trim() ? nomination.freeText : undefined,
    ],
    [
      "Victim's consent",
      typeof nomination.victimConsent === 'string' ? readable(nomination.victimConsent) : undefined,
    ],
    ["Victim's wishes", typeof nomination.victimWishes === 'string' ? nomination.victimWishes : undefined],
    [
      'Victims’ Right to Review',
      typeof nomination.vrrStatus === 'string' ? readable(nomination.vrrStatus) : undefined,
    ],
  ];
  return rows.flatMap(([label, value]) =>
    value === undefined ? [] : [{ key: { text: label }, value: { text: value } }],
  );
}
