/** The roles a person can hold, carried as groups in the identity token. */
export const ROLES = ['auditor', 'isva', 'cps', 'police', 'panel_member', 'panel_chair', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  auditor:
    'Audit team member: draws dip samples, reviews them in audit review rounds, reads findings and estimates',
  isva: 'Independent sexual violence advisor: nominates cases and follows their own nominations',
  cps: 'CPS prosecutor: nominates cases and follows their own nominations',
  police: 'Police officer: nominates cases and uploads decision exports',
  panel_member: 'Rape Scrutiny Panel member: reviews the cases assigned to them, blind',
  panel_chair: 'Panel chair: runs sittings, moderates, concludes and reports',
  admin: 'Administrator: manages reviewers, panels, imports and policy',
};

/** Those who review the cases assigned to them: panel members, and auditors in audit review rounds. */
export const REVIEWING_ROLES: readonly Role[] = ['panel_member', 'auditor'];
/** Those who run sittings: chairs, and auditors leading the audit review rounds they opened. */
export const LEADING_ROLES: readonly Role[] = ['panel_chair', 'auditor'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
