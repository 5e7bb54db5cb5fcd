/**
 * The web application in a real browser (Debian's Chromium through playwright-core) against the
 * local runtime: sign-in through the issuer's persona picker, My cases, sign-out, with JavaScript
 * on and off; an accessibility scan (WCAG 2.2 A and AA) of every page; the session and CSRF rules.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { parse } from 'csv-parse/sync';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';
import { reviewersOf } from '../support/review.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const EXPORT = syntheticForceExport({ count: 40, seed: 77 });

let stack: LocalStack;
let browser: Browser;
/** The cases routed to Morgan (the `panel` persona). */
let morgansCases: string[];

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startLocalStack(),
    chromium.launch({ executablePath: CHROMIUM, args: FLAGS }),
  ]);
  await seedDemoPanel();
  await stack.importDecisions(EXPORT, 'admin');
  const caseIds: string[] = [];
  for (const decision of (await stack.eligibleDecisions()).slice(0, 4)) {
    const nominated = await stack.nominate(decision.decisionId);
    if (nominated.status === 201) caseIds.push(String(nominated.body.caseId));
  }
  await stack.api('POST', '/sittings/sit_2027q1/agenda', { as: 'chair', body: { caseIds } });
  // Routing's picks vary between runs: the chair names Morgan for two cases, so Morgan has work.
  for (const caseId of caseIds.slice(0, 2)) {
    const named = await stack.api('POST', `/cases/${caseId}/assignments`, {
      as: 'chair',
      body: { reviewerId: 'rev_morgan', reason: 'the browser tests sign in as Morgan' },
    });
    expect(named.status, JSON.stringify(named.body)).toBeLessThan(300);
  }
  await stack.routeSitting('sit_2027q1');
  morgansCases = [];
  for (const caseId of caseIds)
    if ((await reviewersOf(stack, caseId)).includes('rev_morgan')) morgansCases.push(caseId);
  await mkdir(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Zero WCAG 2.2 A and AA violations on the page as it is now. */
async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  expect(violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

async function signIn(page: Page, name: string) {
  await page.goto(stack.runtime.webUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name }).click();
  await page.waitForURL(`${stack.runtime.webUrl}/`);
}

describe('the web application', () => {
  it('signs a panel member in, shows their cases, and signs them out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(stack.runtime.webUrl);
    await expect.poll(() => page.title()).toBe('Scrutineer – Scrutineer');
    await expectAccessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'start.png'), fullPage: true });

    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Sign in');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Morgan Panellist' }).click();
    await page.waitForURL(`${stack.runtime.webUrl}/`);
    await expectAccessible(page);

    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'scrutineer_session', httpOnly: true, sameSite: 'Lax' });

    const response = await page.goto(`${stack.runtime.webUrl}/my-cases`);
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    const table = page.getByRole('table');
    for (const caseId of morgansCases) await expect.poll(() => table.textContent()).toContain(caseId);
    expect(morgansCases.length).toBeGreaterThan(0);
    await expect.poll(() => table.textContent()).toContain('To review');
    await expectAccessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'my-cases.png'), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('You have signed out');
    await expectAccessible(page);
    // The session is over: its cookie no longer opens anything.
    await page.goto(`${stack.runtime.webUrl}/my-cases`);
    await expect.poll(() => page.url()).toContain(`${stack.runtime.issuerUrl}/authorize`);
    await context.close();
  });

  it("shows a reviewer their case, keeps the decline form's errors with the field, and hides it from anyone else", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'Morgan Panellist');
    await page.goto(`${stack.runtime.webUrl}/my-cases`);
    const [caseId] = morgansCases;
    await page.getByRole('link', { name: String(caseId) }).click();
    const casePath = new URL(page.url()).pathname;
    expect(casePath).toMatch(/^\/my-cases\/asg_[0-9a-z]{26}$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Case ${caseId}`);
    await expect.poll(() => page.getByRole('heading', { name: 'The decision' }).count()).toBe(1);
    await expect.poll(() => page.locator('main').textContent()).toContain('Offence group');
    await expectAccessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'case.png'), fullPage: true });

    // Declining with no reason: the error summary, linked to the field, and nothing changed.
    await page.getByRole('button', { name: 'Decline this case' }).click();
    const summary = page.locator('.govuk-error-summary');
    await expect.poll(() => summary.textContent()).toContain('Say what the conflict is');
    expect(await summary.getByRole('link').getAttribute('href')).toBe('#conflict');
    await expectAccessible(page);
    expect(await reviewersOf(stack, String(caseId))).toContain('rev_morgan');

    // Another panel member typing the address gets what a missing case gets.
    const other = await browser.newContext();
    const robin = await other.newPage();
    await signIn(robin, 'Robin Panellist');
    const page404 = async (address: string) => {
      const response = await robin.goto(`${stack.runtime.webUrl}${address}`);
      return {
        status: response?.status(),
        html: (await response?.text())?.replace(/nonce(="|-)[^"';]+/g, ''),
      };
    };
    const theirs = await page404(casePath);
    expect(theirs.status).toBe(404);
    expect(theirs).toEqual(await page404('/my-cases/asg_zzzzzzzzzzzzzzzzzzzzzzzzzz'));
    await Promise.all([context.close(), other.close()]);
  });

  it('takes a reviewer through their finding by keyboard: errors keep what was typed, then check and submit', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'Morgan Panellist');
    const caseId = String(morgansCases.at(-1));
    await page.goto(`${stack.runtime.webUrl}/my-cases`);
    await page.getByRole('link', { name: caseId }).click();
    await page.getByRole('button', { name: 'Record your finding' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your finding');
    await expectAccessible(page);

    // Only the verdict's reason typed: every missing answer is named, and the reason is kept.
    await page.getByLabel('Why you reached this verdict').focus();
    await page.keyboard.type('The decision followed the policy on evidential review.');
    await page.getByRole('button', { name: 'Continue' }).focus();
    await page.keyboard.press('Enter');
    const summary = page.locator('.govuk-error-summary');
    await expect.poll(() => summary.textContent()).toContain('Select your verdict');
    expect(await page.getByLabel('Why you reached this verdict').inputValue()).toBe(
      'The decision followed the policy on evidential review.',
    );
    await expectAccessible(page);

    // Each question answered "Yes" with a reason, by keyboard.
    const groups = await page.locator('fieldset:has(input[name^="answer-"])').count();
    expect(groups).toBeGreaterThan(0);
    for (let index = 0; index < groups; index++) {
      const group = page.locator('fieldset:has(input[name^="answer-"])').nth(index);
      await group.getByLabel('Yes', { exact: true }).focus();
      await page.keyboard.press('Space');
      const rationale = page.locator('textarea[name^="rationale-"]').nth(index);
      await rationale.focus();
      await page.keyboard.type('Seen in the decision log.');
    }
    await page.getByLabel('Consistent with policy').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Continue' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Check your finding before you submit it');
    expect(await page.locator('main').textContent()).toContain('Consistent with policy');
    await expectAccessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'finding-check.png'), fullPage: true });
    await page.getByRole('button', { name: 'Submit finding' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Finding submitted');
    await page.goto(`${stack.runtime.webUrl}/my-cases`);
    const row = page.getByRole('row').filter({ hasText: caseId });
    await expect.poll(() => row.textContent()).toContain('Submitted');
    await context.close();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`takes a nominator through nominating a case by keyboard, keeping what was typed on an error (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      // The same pages either way; axe, being a script, scans them in the JavaScript run.
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      await signIn(page, 'Isla Advocate');
      await page.getByRole('link', { name: 'My nominations' }).first().click();
      if (javaScriptEnabled) await expectAccessible(page);
      await page.getByRole('button', { name: 'Nominate a case' }).click();

      // No crime reference, then one with no decision: the error summary, linked to the field.
      await page.keyboard.press('Tab');
      await page.getByLabel('What is the crime reference?').focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.locator('.govuk-error-summary').textContent())
        .toContain('Enter the crime reference');
      expect(await page.locator('.govuk-error-summary a').getAttribute('href')).toBe('#crimeReference');
      if (javaScriptEnabled) await expectAccessible(page);
      await page.getByLabel('What is the crime reference?').focus();
      await page.keyboard.type('NOPE/1/99');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.govuk-error-summary').textContent()).toContain('No decision');
      expect(await page.getByLabel('What is the crime reference?').inputValue()).toBe('NOPE/1/99');

      const rows = parse(EXPORT, { columns: true }) as Record<string, string>[];
      const decision = (await stack.eligibleDecisions())[javaScriptEnabled ? 12 : 14];
      const crimeReference = String(rows[(decision?.provenance.sourceLine ?? 2) - 2]?.crime_reference);
      await page.getByLabel('What is the crime reference?').fill('');
      await page.getByLabel('What is the crime reference?').focus();
      await page.keyboard.type(crimeReference);
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toBe('Why you are nominating it');
      if (javaScriptEnabled) await expectAccessible(page);

      // Words typed, nothing chosen: the errors name each choice, and the words are kept.
      await page.getByLabel('In your words (optional)').focus();
      await page.keyboard.type('The victim was not told of the decision.');
      await page.getByRole('button', { name: 'Continue' }).focus();
      await page.keyboard.press('Enter');
      const summary = page.locator('.govuk-error-summary');
      await expect.poll(() => summary.textContent()).toContain('Select at least one reason');
      expect(await summary.textContent()).toContain('Select whether the victim consents');
      expect(await page.getByLabel('In your words (optional)').inputValue()).toBe(
        'The victim was not told of the decision.',
      );
      if (javaScriptEnabled) await expectAccessible(page);

      for (const label of [
        'Communication with the victim failed',
        'Yes, the victim consents to the panel looking at the case',
        'Requested',
      ]) {
        await page.getByLabel(label, { exact: true }).focus();
        await page.keyboard.press('Space');
      }
      await page.getByRole('button', { name: 'Continue' }).focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toBe('Check your answers before sending the nomination');
      expect(await page.locator('main').textContent()).toContain(crimeReference);
      if (javaScriptEnabled) await expectAccessible(page);
      if (javaScriptEnabled)
        await page.screenshot({ path: path.join(SCREENSHOTS, 'nominate-check.png'), fullPage: true });
      await page.getByRole('button', { name: 'Send nomination' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('.govuk-panel').textContent()).toContain('Nomination sent');
      const reference = String((await page.locator('.govuk-panel strong').textContent())?.trim());
      expect(reference).toMatch(/^nom_/);
      if (javaScriptEnabled) await expectAccessible(page);

      await page.getByRole('link', { name: 'See your nominations' }).click();
      await expect.poll(() => page.getByRole('table').textContent()).toContain(reference);
      expect(await page.getByRole('table').textContent()).toContain('Waiting for an agenda');
      if (javaScriptEnabled)
        await page.screenshot({ path: path.join(SCREENSHOTS, 'my-nominations.png'), fullPage: true });
      await context.close();
    });
  }

  it('works with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, 'Morgan Panellist');
    await page.getByRole('link', { name: 'My cases' }).first().click();
    const [first] = morgansCases;
    await expect.poll(() => page.getByRole('table').textContent()).toContain(String(first));
    await context.close();
  });

  it('refuses a form posted without its CSRF token, and answers an unknown page as not found', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'Robin Panellist');
    const forged = await page.request.post(`${stack.runtime.webUrl}/sign-out`, { form: { _csrf: 'forged' } });
    expect(forged.status()).toBe(403);
    // Still signed in: the forged sign-out changed nothing.
    const home = await page.goto(`${stack.runtime.webUrl}/`);
    expect(await home?.text()).toContain('Sign out');
    const missing = await page.goto(`${stack.runtime.webUrl}/cases/case_zzzzzzzzzzzzzzzzzzzzzzzzzz`);
    expect(missing?.status()).toBe(404);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    await expectAccessible(page);
    await context.close();
  });
});
