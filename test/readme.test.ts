/** The README's claims that a test can check. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../local/demo-users.ts';
import { JAVA_MISSING_MESSAGE } from '../local/dynamodb-local.ts';
import { ROLES } from '../shared/roles.ts';

const root = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('README', () => {
  it('gives exactly the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });

  it('names Java as a prerequisite, with the install command the runtime prints without it', () => {
    expect(readme).toMatch(/Java runtime \(17 or newer\)/);
    const install = 'apt-get install -y default-jre-headless';
    expect(readme).toContain(install);
    expect(JAVA_MISSING_MESSAGE).toContain(install);
    expect(readFileSync(path.join(root, '.ci/run'), 'utf8')).toContain('default-jre-headless');
  });

  it('names only scripts that exist', () => {
    const named = [...readme.matchAll(/npm run (\w+)/g)].map((match) => match[1] as string);
    for (const script of named) expect(packageJson.scripts, script).toHaveProperty(script);
  });

  it('lists every demo persona and every role', () => {
    for (const user of DEMO_USERS) expect(readme).toContain(`\`${user.username}\``);
    for (const role of ROLES) expect(readme).toContain(`\`${role}\``);
  });

  it('documents only configuration keys the CDK app reads', () => {
    const config = readFileSync(path.join(root, 'infra/config.ts'), 'utf8');
    for (const [, key] of readme.matchAll(/`scrutineer:(\w+)`/g))
      expect(config, key).toMatch(new RegExp(`['(]${key}['),]`));
  });
});
