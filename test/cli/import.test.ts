/**
 * `scrutineer import` and `scrutineer imports show` against the whole local system: the command
 * runs as a child process, the system in this one.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { POLICE_UK_OUTCOMES_HEADER, POLICE_UK_STREET_HEADER } from '../../shared/imports/police-uk.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { runCli } from './run-cli.ts';

const DECISIONS = 30;
const good = syntheticForceExport({ count: DECISIONS, seed: 4242 });
const [header = '', firstRow = ''] = good.split('\n');
const record = parse(`${header}\n${firstRow}`, { columns: true })[0] as Record<string, string>;
// Line 32: the first decision again, in an offence group Scrutineer does not cover.
const badRow = stringify([{ ...record, offence_group: 'burglary' }]).trimEnd();
const BAD_LINE = DECISIONS + 2;

let stack: LocalStack;
let workDir: string;
let exportFile: string;
/** Settings for a deployed stack: an API URL and a bearer token from the identity provider. */
let asAdmin: Record<string, string>;
/** Settings for a local sign-in through the issuer, as `--as` uses. */
let viaIssuer: Record<string, string>;

beforeAll(async () => {
  [stack, workDir] = await Promise.all([
    startLocalStack(),
    mkdtemp(path.join(os.tmpdir(), 'scrutineer-cli-')),
  ]);
  exportFile = path.join(workDir, 'force export.csv');
  await writeFile(exportFile, `${good}${badRow}\n`);
  asAdmin = {
    SCRUTINEER_API_URL: stack.runtime.apiUrl,
    SCRUTINEER_TOKEN: await stack.runtime.tokenFor('admin'),
  };
  viaIssuer = { SCRUTINEER_API_URL: stack.runtime.apiUrl, SCRUTINEER_ISSUER_URL: stack.runtime.issuerUrl };
});
afterAll(async () => {
  await stack?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const importIdIn = (text: string) => /imp_[0-9a-z]{26}/.exec(text)?.[0] ?? '';
/** The import of the first run of `scrutineer import`, which `imports show` looks at. */
let firstImportId: string;

describe('scrutineer import', () => {
  let first: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    first = await runCli(['import', exportFile], asAdmin);
    firstImportId = importIdIn(first.stdout);
  });

  it('uploads, imports and sums up a force export', () => {
    expect(first.stderr).toMatch(/Registered import imp_\w+ \(force-csv\)/);
    expect(first.stderr).toContain('Uploaded force export.csv.');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Import imp_\w+ COMPLETED: force export\.csv \(force-csv\)/);
    expect(first.stdout).toContain(
      [
        '  read        31',
        '  accepted    30',
        '  updated      0',
        '  rejected     1',
        '  skipped      0',
        '  duplicates   0',
      ].join('\n'),
    );
    expect(first.stdout).toContain(`scrutineer imports show ${importIdIn(first.stdout)}`);
  });

  it('lists the rejected lines once the API hands out the error report', async () => {
    const importId = importIdIn(first.stdout);
    const errors = await stack.api('GET', `/imports/${importId}/errors`, { as: 'admin' });
    if (errors.status === 404) {
      expect(first.stdout).not.toContain('Problems');
    } else {
      expect(first.stdout).toContain('Problems (1):');
      expect(first.stdout).toMatch(new RegExp(`\\n  ${BAD_LINE}\\s+offence_group\\s+\\S`));
    }
  });

  it('adds nothing when the same file is imported again', async () => {
    const again = await runCli(['import', exportFile, '--format', 'force-csv'], asAdmin);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/ {2}accepted\s+0\n/);
    expect(again.stdout).toMatch(new RegExp(`  duplicates\\s+${DECISIONS}\\n`));
  });

  it('counts a corrected row as updated', async () => {
    const correctedFile = path.join(workDir, 'corrected.csv');
    const corrected = stringify([{ ...record, summary: 'Synthetic summary, corrected' }]).trimEnd();
    await writeFile(correctedFile, `${header}\n${corrected}\n`);
    const run = await runCli(['import', correctedFile, '--format', 'force-csv'], asAdmin);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ {2}accepted\s+0\n {2}updated\s+1\n/);
  });

  it('refuses a header that is no import format, naming the one it resembles and what it lacks', async () => {
    const wrong = path.join(workDir, 'wrong.csv');
    await writeFile(wrong, 'crime_reference,victim_name\nX,Y\n');
    const run = await runCli(['import', wrong], asAdmin);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'The header of wrong.csv matches no import format: it looks like a force export (format force-csv), ' +
        '1 of 16 columns; missing: offence_group, da_marker,',
    );
    expect(run.stderr).toContain('; not expected: victim_name. Correct the header, or give --format.');
    expect(run.stdout).toBe('');
  });

  it('fails on a wrong header given --format, naming the missing columns', async () => {
    const wrong = path.join(workDir, 'wrong.csv');
    await writeFile(wrong, 'crime_reference,victim_name\nX,Y\n');
    const run = await runCli(['import', wrong, '--format', 'force-csv'], asAdmin);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/import imp_\w+ FAILED: ValidationError/);
    expect(run.stderr).toContain(
      [
        "  The file's header is not a force-csv header",
        '    required column is missing: offence_group, da_marker, outcome_code, deciding_body,',
      ].join('\n'),
    );
    expect(run.stderr).toContain('    victim_name: unknown column\n');
    expect(run.stdout).toBe('');
  });

  it('says what a file given the wrong --format looks like instead', async () => {
    const street = path.join(workDir, 'street-as-force.csv');
    await writeFile(street, `${POLICE_UK_STREET_HEADER.join(',')}\n`);
    const run = await runCli(['import', street, '--format', 'force-csv'], asAdmin);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "The file's header is not a force-csv header; it looks like a data.police.uk street file (format police-uk)",
    );
  });

  it('sends a police.uk outcomes file given alone back to go with its street file', async () => {
    const outcomes = path.join(workDir, 'outcomes.csv');
    await writeFile(outcomes, `${POLICE_UK_OUTCOMES_HEADER.join(',')}\n`);
    const run = await runCli(['import', outcomes], asAdmin);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is a police.uk outcomes file; import it with its street file');
  });

  it('prints the id and leaves the import running with --no-wait', async () => {
    const run = await runCli(['import', exportFile, '--no-wait', '--as', 'police'], viaIssuer);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^imp_[0-9a-z]{26}\n$/);
    let status = '';
    for (let polls = 0; polls < 200 && !['COMPLETED', 'FAILED'].includes(status); polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const found = await stack.api('GET', `/imports/${run.stdout.trim()}`, { as: 'police' });
      status = String(found.body.status);
    }
    expect(status).toBe('COMPLETED');
  });

  it('explains a refusal by the API: message, signed-in user and request id', async () => {
    const run = await runCli(['import', exportFile, '--as', 'isva'], viaIssuer);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: Your roles do not allow this action (403 ForbiddenError)');
    expect(run.stderr).toContain('signed in as isva');
    expect(run.stderr).toMatch(/request id: \S+/);
  });
  it('breaks skipped rows of a police.uk street file down by reason', async () => {
    const street = path.join(workDir, 'street.csv');
    const crime = (id: string, type: string) =>
      `${id},2025-05,Force,Force,,,No location,E01000001,Area 001A,${type},Under investigation,`;
    await writeFile(
      street,
      [
        POLICE_UK_STREET_HEADER.join(','),
        crime('pukS1', 'Public order'),
        crime('', 'Anti-social behaviour'),
        crime('', 'Anti-social behaviour'),
        crime('pukS2', 'Burglary'),
        '',
      ].join('\n'),
    );
    const run = await runCli(['import', street], asAdmin);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /\n {2}skipped +3\n {4}no Crime ID \(anti-social behaviour\) +2\n {4}crime type outside the VAWG scope +1\n {2}duplicates/,
    );
    const shown = await stack.api('GET', `/imports/${importIdIn(run.stdout)}`, { as: 'admin' });
    expect(shown.body.counts).toMatchObject({
      skipped: 3,
      skippedBy: { blankLine: 0, noCrimeId: 2, crimeTypeOutOfScope: 1 },
    });
  });

  it('takes a file by any name it has on disk', async () => {
    const named = path.join(workDir, 'Export (Jan 2027) — PPU North #2.csv');
    await writeFile(named, await readFile(exportFile, 'utf8'));
    const run = await runCli(['import', named, '--format', 'force-csv'], asAdmin);
    expect(run.code).toBe(0);
    const shown = await stack.api('GET', `/imports/${importIdIn(run.stdout)}`, { as: 'admin' });
    expect(shown.body.fileName).toBe('Export (Jan 2027) — PPU North #2.csv');
  });
});

describe('scrutineer imports show', () => {
  let importId: string;
  beforeAll(() => {
    importId = firstImportId;
  });

  it('prints the import readably', async () => {
    const run = await runCli(['imports', 'show', importId], asAdmin);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`import        ${importId}`);
    expect(run.stdout).toContain('status        COMPLETED');
    expect(run.stdout).toContain('file          force export.csv');
    expect(run.stdout).toMatch(/created {7}\S+ by demo-admin/);
    expect(run.stdout).toContain(`error report  errors/${importId}/errors.csv`);
    expect(run.stdout).toMatch(/rows\n {2}read\s+31\n {2}accepted\s+30\n {2}updated\s+0\n {2}rejected\s+1\n/);
  });

  it('prints the raw record with --json, signing in with --as', async () => {
    const run = await runCli(['imports', 'show', importId, '--json', '--as', 'admin'], viaIssuer);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({
      importId,
      status: 'COMPLETED',
      counts: { read: 31, rejected: 1 },
    });
  });

  it('gives the field and reason of a malformed id', async () => {
    const run = await runCli(['imports', 'show', 'not-an-id'], asAdmin);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: Invalid path \(400 ValidationError\)\n {2}path\.importId: an import id/,
    );
    expect(run.stderr).toMatch(/request id: \S+/);
  });

  it('says who there is to be when --as names nobody', async () => {
    const run = await runCli(['imports', 'show', importId, '--as', 'nobody'], viaIssuer);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('There is no demo user "nobody". Demo users: auditor, auditor2, isva');
  });
});
