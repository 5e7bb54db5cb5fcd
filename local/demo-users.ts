/**
 * Synthetic people for signing in to the local stack. None of them is real: names are invented,
 * email addresses are on example domains, and the local issuer hands out tokens for them
 * without a password.
 */

export type Role = 'auditor' | 'isva' | 'cps' | 'police' | 'panel_member' | 'panel_chair' | 'admin';

export interface DemoUser {
  readonly username: string;
  /** Stable across restarts, so records created locally keep pointing at the same person. */
  readonly sub: string;
  readonly name: string;
  readonly email: string;
  readonly roles: readonly Role[];
}

const demoUser = (username: string, name: string, email: string, roles: readonly Role[]): DemoUser => ({
  username,
  sub: `demo-${username}`,
  name,
  email,
  roles,
});

export const DEMO_USERS: readonly DemoUser[] = [
  // Two auditors so an audit review round has two blind reviewers.
  demoUser('auditor', 'Alex Auditor', 'alex.auditor@example.org', ['auditor']),
  demoUser('auditor2', 'Avery Auditor', 'avery.auditor@example.org', ['auditor']),
  // Two ISVAs so one can be refused access to the other's nominations.
  demoUser('isva', 'Isla Advocate', 'isla.advocate@example.org', ['isva']),
  demoUser('isva2', 'Ivor Advocate', 'ivor.advocate@example.org', ['isva']),
  demoUser('cps', 'Casey Prosecutor', 'casey.prosecutor@example.org', ['cps']),
  demoUser('police', 'Pat Constable', 'pat.constable@example.police.uk', ['police']),
  // Two plain panel members so blind review has two independent reviewers.
  demoUser('panel', 'Morgan Panellist', 'morgan.panellist@example.org', ['panel_member']),
  demoUser('panel2', 'Robin Panellist', 'robin.panellist@example.org', ['panel_member']),
  demoUser('chair', 'Charlie Chair', 'charlie.chair@example.org', ['panel_chair', 'panel_member']),
  demoUser('admin', 'Ada Administrator', 'ada.administrator@example.org', ['admin']),
];
