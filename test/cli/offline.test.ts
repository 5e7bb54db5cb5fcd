/** The command without a running system: settings, format detection, synth-data, nothing listening. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAddresses, resolveSettings, SettingsError } from '../../cli/config.ts';
import { detectFormat } from '../../cli/import-file.ts';
import { formatTable } from '../../cli/output.ts';
import { createProgram } from '../../cli/program.ts';
import { FORCE_EXPORT_HEADER } from '../../shared/imports/force-export.ts';
import { POLICE_UK_OUTCOMES_HEADER, POLICE_UK_STREET_HEADER } from '../../shared/imports/police-uk.ts';
import { runCli } from './run-cli.ts';

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'scrutineer-cli-'));
});
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A port that was free a moment ago, so nothing answers on it. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it('has every command, each with its help', () => {
  const program = createProgram();
  expect(program.commands.map((command) => command.name())).toEqual([
    'agenda',
    'cases',
    'files',
    'findings',
    'import',
    'imports',
    'nominations',
    'pack',
    'question-sets',
    'recommendations',
    'report',
    'reviewers',
    'sample',
    'sittings',
    'sweep',
    'synth-data',
    'whoami',
  ]);
  const show = program.commands.find((command) => command.name() === 'imports')?.commands[0];
  expect(show?.helpInformation()).toContain('Usage: scrutineer imports show [options] <importId>');
});

describe('settings', () => {
  it('are the local stack and the admin demo user by default', () => {
    expect(resolveSettings(undefined, {})).toEqual({
      apiUrl: 'http://127.0.0.1:4500',
      credentials: { issuerUrl: 'http://127.0.0.1:4501', username: 'admin' },
    });
  });

  it('follow SCRUTINEER_PORT_BASE as npm start does', () => {
    expect(localAddresses({ SCRUTINEER_PORT_BASE: '5600' })).toEqual({
      apiUrl: 'http://127.0.0.1:5600',
      issuerUrl: 'http://127.0.0.1:5601',
    });
    expect(resolveSettings('isva', { SCRUTINEER_PORT_BASE: '5600' }).credentials).toEqual({
      issuerUrl: 'http://127.0.0.1:5601',
      username: 'isva',
    });
  });

  it('take a deployed API and its token from the environment, and refuse --as with them', () => {
    const env = { SCRUTINEER_API_URL: 'https://api.example.org/', SCRUTINEER_TOKEN: 'token' };
    expect(resolveSettings(undefined, env)).toEqual({
      apiUrl: 'https://api.example.org',
      credentials: { token: 'token' },
    });
    expect(() => resolveSettings('isva', env)).toThrow(/SCRUTINEER_TOKEN is set/);
  });

  it('ask for a token for a deployed API rather than signing in locally', () => {
    expect(() => resolveSettings(undefined, { SCRUTINEER_API_URL: 'https://api.example.org' })).toThrow(
      SettingsError,
    );
  });
});

describe('the format of a file', () => {
  it('follows the extension for JSON lines and the header for CSV', async () => {
    const policeUk = path.join(workDir, 'street.csv');
    await writeFile(policeUk, `\uFEFF${POLICE_UK_STREET_HEADER.join(',')}\n`);
    const outcomes = path.join(workDir, 'outcomes.csv');
    await writeFile(outcomes, `${POLICE_UK_OUTCOMES_HEADER.join(',')}\n`);
    const force = path.join(workDir, 'export.csv');
    await writeFile(force, `${FORCE_EXPORT_HEADER.map((column) => column.toUpperCase()).join(',')}\n`);
    expect(await detectFormat(policeUk)).toBe('police-uk');
    expect(await detectFormat(outcomes)).toBe('police-uk-outcomes');
    expect(await detectFormat(force)).toBe('force-csv');
    expect(await detectFormat(path.join(workDir, 'absent.ndjson'))).toBe('force-ndjson');
    expect(await detectFormat(path.join(workDir, 'absent.JSONL'))).toBe('force-ndjson');
  });

  it('refuses a CSV header that is no format, naming the closest and the columns it lacks', async () => {
    const partial = path.join(workDir, 'partial.csv');
    await writeFile(partial, 'Crime ID,Month,Reported by,Falls within\n');
    await expect(detectFormat(partial)).rejects.toThrow(
      /partial\.csv matches no import format: it looks like a data\.police\.uk \w+ file.*, 4 of \d+ columns; missing: Longitude/,
    );
    const unrelated = path.join(workDir, 'unrelated.csv');
    await writeFile(unrelated, 'a,b\n');
    await expect(detectFormat(unrelated)).rejects.toThrow(/it shares no column with a force export/);
  });
});

it('aligns tables: numbers to the right, text to the left', () => {
  expect(
    formatTable([
      ['read', 1200],
      ['duplicates', 7],
    ]),
  ).toBe('  read        1200\n  duplicates     7');
});

describe('scrutineer synth-data', () => {
  it('writes a force CSV export that parses', async () => {
    const out = path.join(workDir, 'synthetic.csv');
    const run = await runCli(['synth-data', '--decisions', '25', '--seed', '7', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Wrote 25 decisions \(\S+ \S+, force-csv\) to /);
    const rows = parse(await readFile(out), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(25);
    expect(Object.keys(rows[0] ?? {}).sort()).toEqual([...FORCE_EXPORT_HEADER].sort());
  });

  it('writes NDJSON for an .ndjson file', async () => {
    const out = path.join(workDir, 'synthetic.ndjson');
    const run = await runCli(['synth-data', '--decisions', '5', '--seed', '7', '--out', out]);
    expect(run.code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toHaveLength(5);
  });

  it('refuses a count that is not a whole number', async () => {
    const run = await runCli(['synth-data', '--decisions', 'many', '--out', path.join(workDir, 'x.csv')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected a whole number');
  });
});

describe('usage errors', () => {
  it('refuse an unknown format', async () => {
    const run = await runCli(['import', 'export.csv', '--format', 'excel']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("argument 'excel' is invalid");
  });

  it('refuse --outcomes with a format other than police-uk, before calling the API', async () => {
    const file = path.join(workDir, 'export.csv');
    await writeFile(file, `${FORCE_EXPORT_HEADER.join(',')}\n`);
    const run = await runCli(['import', file, '--outcomes', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--outcomes goes with --format police-uk');
  });

  it('refuse more synthetic decisions than the generator makes', async () => {
    const run = await runCli(['synth-data', '--decisions', '1000001', '--out', path.join(workDir, 'x.csv')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--decisions can be at most 1,000,000');
  });
});

describe('with nothing listening', () => {
  it('asks whether npm start is running', async () => {
    const file = path.join(workDir, 'export.csv');
    await writeFile(file, `${FORCE_EXPORT_HEADER.join(',')}\n`);
    const run = await runCli(['import', file], { SCRUTINEER_PORT_BASE: String(await unusedPort()) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Could not reach .* \(ECONNREFUSED\)\. Is `npm start` running\?/);
  });

  it('says so for the API too when a token is given', async () => {
    const run = await runCli(['imports', 'show', 'imp_x'], {
      SCRUTINEER_API_URL: `http://127.0.0.1:${await unusedPort()}`,
      SCRUTINEER_TOKEN: 'token',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Could not reach the API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Is/);
  });

  it('verifies packs of cases and sittings only', async () => {
    const run = await runCli(['pack', 'verify', 'smp_123'], { SCRUTINEER_TOKEN: 'token' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('give a case (case_…) or a sitting (sit_…)');
  });

  it('refuses --as alongside SCRUTINEER_TOKEN as a usage error', async () => {
    const run = await runCli(['imports', 'show', 'imp_x', '--as', 'isva'], { SCRUTINEER_TOKEN: 'token' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SCRUTINEER_TOKEN is set');
  });
});
