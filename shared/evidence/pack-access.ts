/**
 * Who may open an evidence pack: the audit team and admins, any pack; a chair, the packs of the
 * sittings of their panels and of the cases those sittings heard. Anyone else is told there is no
 * pack, exactly as for a pack that does not exist.
 */
import { getCase } from '../cases/case-store.ts';
import { NotFoundError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { sittingFor } from '../panels/agenda.ts';
import type { PackSubject } from './manifest.ts';
import { packLinks, verifyStoredPack } from './packs.ts';

async function mayOpen(principal: Principal, subject: PackSubject): Promise<boolean> {
  if (principal.roles.includes('admin') || principal.roles.includes('auditor')) return true;
  if (!principal.roles.includes('panel_chair')) return false;
  const sittings =
    subject.kind === 'sitting'
      ? [subject.id]
      : await getCase(subject.id).then(
          (reviewCase) =>
            [reviewCase.sittingId, ...(reviewCase.carriedOverFrom ?? [])].filter((id) => id !== undefined),
          () => [],
        );
  for (const sittingId of sittings) {
    if (
      await sittingFor(principal, sittingId).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

async function allowed(principal: Principal, subject: PackSubject) {
  if (!(await mayOpen(principal, subject))) throw new NotFoundError(`No evidence pack for ${subject.id}`);
}

export async function packFor(principal: Principal, subject: PackSubject, version?: number) {
  await allowed(principal, subject);
  return packLinks(subject, version);
}

export async function packVerificationFor(principal: Principal, subject: PackSubject, version?: number) {
  await allowed(principal, subject);
  return verifyStoredPack(subject, version);
}
