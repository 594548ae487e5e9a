// Every console page renders on the server, hydrates without a console error, and can be
// used with the keyboard; bad input shows its reason next to the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, hydrated, shot } from '../harness.mjs';

const ctx = serverAndBrowser({ GATEAI_ADMIN_EMAIL: 'root@example.com', GATEAI_ADMIN_PASSWORD: 'correct horse battery' });

test('sign in with the keyboard alone, then every page hydrates cleanly', async () => {
  const page = await newPage(ctx.browser);
  await page.goto(`${ctx.server.url}/sign-in`);
  await hydrated(page);
  await shot(page, '00-sign-in');
  // Tab to the email field, type, tab to the password, type, Enter.
  await page.keyboard.press('Tab');
  for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.getAttribute('name') === 'email')); i++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.type('root@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('correct horse battery');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${ctx.server.url}/`);

  for (const [path, name] of [
    ['/', '10-dashboard'],
    ['/keys', '11-keys'],
    ['/balance', '12-balance'],
    ['/organization', '13-organization'],
    ['/admin/users', '14-admin-users'],
    ['/admin/codes', '15-admin-codes'],
    ['/no-such-page', '16-not-found'],
  ]) {
    await page.goto(`${ctx.server.url}${path}`);
    await hydrated(page);
    await shot(page, name);
  }
  await page.getByTestId('not-found').waitFor();
  assert.deepEqual(page.consoleErrors, []);
});

test('bad sign-up input is explained next to the field', async () => {
  const page = await newPage(ctx.browser);
  await page.goto(`${ctx.server.url}/sign-up`);
  await hydrated(page);
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up|create account/i }).click();
  await page.getByText(/not an email address|not a valid email address/).waitFor();
  await page.getByLabel('Email').fill('new@example.com');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: /sign up|create account/i }).click();
  await page.getByText('at least 10 characters').waitFor();
  await shot(page, '17-sign-up-error');
  assert.equal(new URL(page.url()).pathname, '/sign-up');
});

test('signed-out visitors are sent to sign in', async () => {
  const page = await newPage(ctx.browser);
  await page.goto(`${ctx.server.url}/keys`);
  await hydrated(page);
  await page.getByTestId('sign-in-prompt').or(page.getByTestId('sign-in-form')).first().waitFor();
});
