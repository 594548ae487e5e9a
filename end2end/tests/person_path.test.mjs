// A person's path through the console: sign up → create a key and read it once → the admin
// makes a redemption code (CLI) → redeem it → the balance shows it → revoke the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, hydrated, shot } from '../harness.mjs';

const ctx = serverAndBrowser();

test('sign up, key shown once, redeem a code, revoke the key', async () => {
  const page = await newPage(ctx.browser);
  const url = ctx.server.url;

  await page.goto(`${url}/sign-up`);
  await hydrated(page);
  await shot(page, '01-sign-up');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up|create account/i }).click();
  await page.waitForURL(`${url}/`);
  await hydrated(page);
  await page.getByTestId('balance').waitFor();
  await shot(page, '02-dashboard');

  // Create a key: the secret is shown once.
  await page.goto(`${url}/keys`);
  await hydrated(page);
  await page.getByLabel('Name').fill('laptop');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secretEl = page.getByTestId('new-key-secret');
  await secretEl.waitFor();
  const secret = ((await secretEl.inputValue().catch(() => null)) ?? (await secretEl.textContent())).trim();
  assert.match(secret, /^sk-or-v1-[0-9a-f]{64}$/);
  await shot(page, '03-key-created');
  // The copy button puts it on the clipboard.
  await page.getByTestId('copy-button').first().click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  // After a reload the secret is gone for good; the list shows only the prefix.
  await page.reload();
  await hydrated(page);
  const row = page.getByTestId('key-row').filter({ hasText: 'laptop' });
  await row.waitFor();
  assert.ok(!(await page.content()).includes(secret.slice(9)), 'secret not on the page any more');
  assert.match(await row.textContent(), /sk-or-v1-[0-9a-f]{4}…[0-9a-f]{4}/);

  // The operator makes a code with the CLI; the person redeems it.
  const code = ctx.server.cli(['admin', 'redeem-code', '--amount', '12.5']);
  assert.match(code, /^GATE-[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
  await page.goto(`${url}/balance`);
  await hydrated(page);
  await page.getByLabel('Redemption code').fill(code);
  await page.getByRole('button', { name: 'Redeem' }).click();
  await page.getByTestId('ledger-row').first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=balance]')?.textContent.includes('12.50'));
  assert.match(await page.getByTestId('ledger-row').first().textContent(), /Redemption/);
  await shot(page, '04-balance');
  // The same code again: an error in words next to the field, nothing booked.
  await page.getByLabel('Redemption code').fill(code);
  await page.getByRole('button', { name: 'Redeem' }).click();
  await page.getByText('already been used').waitFor();
  assert.equal(await page.getByTestId('ledger-row').count(), 1);
  await page.goto(`${url}/`);
  await hydrated(page);
  assert.match(await page.getByTestId('balance').textContent(), /12\.50/);

  // Revoke the key (two steps).
  await page.goto(`${url}/keys`);
  await hydrated(page);
  const keyRow = page.getByTestId('key-row').filter({ hasText: 'laptop' });
  await keyRow.getByRole('button', { name: /revoke/i }).first().click();
  await page.getByTestId('confirm-revoke-key').click();
  await keyRow.getByTestId('key-status').filter({ hasText: 'revoked' }).waitFor();
  await shot(page, '05-key-revoked');

  assert.deepEqual(page.consoleErrors, []);
});
