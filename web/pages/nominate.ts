/**
 * Nominating a case, over three pages: find the decision by crime reference, say why (with the
 * victim's consent and wishes and the VRR status), check the answers. The draft is kept in the
 * session between pages, so nothing typed is lost on an error.
 */
import type { FieldErrors } from '../api.ts';

export interface Candidate {
  readonly decisionId: string;
  readonly decidingBody: 'police' | 'cps';
  readonly decisionMonth: string;
  readonly decisionType: string;
  readonly outcome: string;
  readonly eligible: boolean;
  readonly reason?: string;
}

export interface NominationDraft {
  crimeReference?: string;
  candidates?: Candidate[];
  decisionId?: string;
  reasonCodes?: string[];
  freeText?: string;
  victimConsent?: string;
  victimWishes?: string;
  vrrStatus?: string;
}

export const REASON_LABELS: Readonly<Record<string, string>> = {
  victim_dissatisfied: 'The victim is dissatisfied with the decision',
  evidential_threshold_questioned: 'The evidential threshold is questioned',
  public_interest_questioned: 'The public interest test is questioned',
  lines_of_enquiry_missed: 'Lines of enquiry were missed',
  victim_credibility_focus: "Focus on the victim's credibility",
  myths_and_stereotypes: 'Rape myths or stereotypes',
  third_party_material: 'Third-party material',
  safeguarding_concern: 'Safeguarding concern',
  communication_failure: 'Communication with the victim failed',
  delay: 'Delay',
  other: 'Other',
};

export const CONSENT_LABELS: Readonly<Record<string, string>> = {
  consents: 'Yes, the victim consents to the panel looking at the case',
  does_not_consent: 'No, the victim does not consent',
  not_yet_asked: 'Not yet asked',
};

export const VRR_LABELS: Readonly<Record<string, string>> = {
  not_requested: 'Not requested',
  requested: 'Requested',
  upheld: 'Upheld',
  overturned: 'Overturned',
  out_of_time: 'Out of time',
  unknown: 'Not known',
};

const BODY = { police: 'Police', cps: 'CPS' } as const;
const TYPES: Readonly<Record<string, string>> = {
  police_nfa: 'no further action',
  cps_nfa: 'no further action',
  filed: 'filed',
};

/** A decision described safely: who decided, when, what. */
export const describeCandidate = (candidate: Candidate) =>
  `${BODY[candidate.decidingBody]}, ${TYPES[candidate.decisionType] ?? candidate.decisionType}, ${candidate.decisionMonth} (outcome ${candidate.outcome})`;

/** What the details page needs before the answers can be checked. */
export function detailsErrors(draft: NominationDraft): FieldErrors {
  const errors: FieldErrors = [];
  const eligible = (draft.candidates ?? []).filter((candidate) => candidate.eligible);
  if (!draft.decisionId || !eligible.some((candidate) => candidate.decisionId === draft.decisionId))
    errors.push({ text: 'Select the decision you are nominating', href: `#decisionId` });
  if (!draft.reasonCodes?.length) errors.push({ text: 'Select at least one reason', href: '#reasonCodes' });
  if (!draft.victimConsent || !(draft.victimConsent in CONSENT_LABELS))
    errors.push({ text: 'Select whether the victim consents', href: '#victimConsent' });
  if (!draft.vrrStatus || !(draft.vrrStatus in VRR_LABELS))
    errors.push({ text: 'Select the Victims’ Right to Review status', href: '#vrrStatus' });
  if ((draft.freeText ?? '').length > 4000)
    errors.push({ text: 'Say why in 4,000 characters or fewer', href: '#freeText' });
  if ((draft.victimWishes ?? '').length > 2000)
    errors.push({ text: "Give the victim's wishes in 2,000 characters or fewer", href: '#victimWishes' });
  return errors;
}

/** The POST /nominations body from a checked draft. */
export function nominationRequest(draft: NominationDraft) {
  return {
    decisionId: draft.decisionId,
    reasonCodes: draft.reasonCodes,
    freeText: draft.freeText ?? '',
    victimConsent: draft.victimConsent,
    ...(draft.victimWishes?.trim() ? { victimWishes: draft.victimWishes } : {}),
    vrrStatus: draft.vrrStatus,
  };
}

const STATUS_TAGS: Readonly<Record<string, { text: string; classes: string }>> = {
  received: { text: 'Waiting for an agenda', classes: 'govuk-tag--blue' },
  on_agenda: { text: 'On an agenda', classes: 'govuk-tag--purple' },
  in_review: { text: 'Under review', classes: 'govuk-tag--yellow' },
  concluded: { text: 'Concluded', classes: 'govuk-tag--green' },
  withdrawn: { text: 'Withdrawn', classes: 'govuk-tag--grey' },
};

export interface NominationItem {
  readonly nominationId: string;
  readonly caseId: string;
  readonly nominatedAt: string;
  readonly status: string;
  readonly sittingId?: string;
}

/** My nominations, newest first, each with its status tag. */
export function nominationListRows(items: readonly NominationItem[]) {
  return [...items]
    .sort((a, b) => b.nominatedAt.localeCompare(a.nominatedAt))
    .map((item) => {
      const tag = STATUS_TAGS[item.status] ?? { text: item.status, classes: 'govuk-tag--grey' };
      return [
        { text: item.nominationId },
        { text: item.nominatedAt.slice(0, 10) },
        { text: item.sittingId ?? '' },
        { html: `<strong class="govuk-tag ${tag.classes}">${tag.text}</strong>` },
      ];
    });
}
