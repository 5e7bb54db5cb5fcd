/**
 * `scrutineer nominations …` against the whole local system: the command runs as a child process
 * and signs in as the ISVA persona by default, the system in this one.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { runCli } from './run-cli.ts';

let stack: LocalStack;
let viaIssuer: Record<string, string>;
let nominationId: string;
let crimeReference: string;
const csv = syntheticForceExport({ count: 40, seed: 3141 });

beforeAll(async () => {
  stack = await startLocalStack();
  viaIssuer = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
  const importId = await stack.importDecisions(csv, 'admin');
  const [decision] = await stack.eligibleDecisions(importId);
  const rows = parse(csv, { columns: true }) as Record<string, string>[];
  crimeReference = String(rows[(decision?.provenance.sourceLine ?? 2) - 2]?.crime_reference);
  const nominated = await stack.nominate(String(decision?.decisionId));
  expect(nominated.status).toBe(201);
  nominationId = String(nominated.body.nominationId);
});
afterAll(async () => stack?.close());

describe('scrutineer nominations', () => {
  it('lists your nominations with where each stands', async () => {
    const run = await runCli(['nominations', 'list'], viaIssuer);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^nomination\s+case\s+nominated\s+version\s+consent\s+status\s+verdict\n/);
    expect(run.stdout).toContain(nominationId);
    expect(run.stdout).toMatch(/consents\s+received/);
  });

  it('changes the victim’s consent as a new version, and shows every version', async () => {
    const run = await runCli(
      ['nominations', 'update', nominationId, '--consent', 'does_not_consent'],
      viaIssuer,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`${nominationId} is at version 2 (victim does_not_consent).\n`);
    const shown = await runCli(['nominations', 'show', nominationId, '--json'], viaIssuer);
    const versions = (JSON.parse(shown.stdout) as { versions: { victimConsent: string }[] }).versions;
    expect(versions.map((version) => version.victimConsent)).toEqual(['consents', 'does_not_consent']);
  });

  it('wants something to change, as a usage error', async () => {
    const run = await runCli(['nominations', 'update', nominationId], viaIssuer);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('give at least one of --consent');
  });

  it('lists the decisions on a crime to choose from', async () => {
    const run = await runCli(['nominations', 'candidates', crimeReference], viaIssuer);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^decision\s+decided by\s+month\s+type\s+outcome\s+nominate\?\n/);
    expect(run.stdout).toMatch(/dec_[0-9a-z]{26}\s+(police|cps)\s+\d{4}-\d\d\s+\w+\s+\S+\s+yes\n/);
  });

  it('withdraws a nomination with a reason, and says what became of the case', async () => {
    const run = await runCli(
      ['nominations', 'withdraw', nominationId, '--reason', 'the victim asked for it to stop'],
      viaIssuer,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      new RegExp(`^Withdrew ${nominationId}; case case_[0-9a-z]+ withdrawn with it\\.\\n$`),
    );
  });
});
