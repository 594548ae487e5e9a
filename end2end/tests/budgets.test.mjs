// Key budgets in the console, against a real server whose providers point at the upstream
// double: a key created with a budget on the API keys page (bad input explained next to its
// field), its budget changed on the Budgets page with the keyboard alone, a real API call
// that passes, a tiny budget that makes the next call 429 `api key budget quota exceeded`,
// the spend and what is left after a reload, and the same form without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startUpstreamDouble, launchBrowser, newPage, hydrated, shot, signIn as signInAs, tabUntil } from '../harness.mjs';

const ADMIN = 'root@example.com';
const PASSWORD = 'correct horse battery';
const UPSTREAM_KEY = 'sk-upstream-test';

const ctx = {};
before(async () => {
  ctx.double = await startUpstreamDouble();
  ctx.server = await startServer({
    GATEAI_ADMIN_EMAIL: ADMIN,
    GATEAI_ADMIN_PASSWORD: PASSWORD,
    OPENAI_API_KEY: UPSTREAM_KEY,
    OPENAI_BASE_URL: `${ctx.double.url}/v1`,
    ANTHROPIC_API_KEY: UPSTREAM_KEY,
    ANTHROPIC_BASE_URL: ctx.double.url,
  });
  ctx.browser = await launchBrowser();
});
after(async () => {
  await ctx.browser?.close();
  await ctx.server?.stop();
  await ctx.double?.stop();
});

const signIn = (page) => signInAs(page, ctx.server.url, ADMIN, PASSWORD);

async function chat(secret) {
  const r = await fetch(`${ctx.server.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-5-mini', max_tokens: 32, messages: [{ role: 'user', content: 'hello from the budget test' }] }),
  });
  return { status: r.status, body: await r.json() };
}

const budgetRow = (page, name) => page.locator(`[data-testid=budget-row][data-key-name="${name}"]`);
const amountOf = async (row, testid) => row.getByTestId(testid).locator('[data-amount]').getAttribute('data-amount');

/** `YYYY-MM-01 00:00 UTC` of next month, as the page writes the monthly reset. */
function nextMonthStart() {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return `${d.toISOString().slice(0, 10)} 00:00 UTC`;
}

test('an owner caps a key on the Budgets page; the gateway follows and the page shows the spend', async () => {
  const page = await newPage(ctx.browser);
  const url = ctx.server.url;
  ctx.server.cli(['admin', 'credit', '--email', ADMIN, '--amount', '50']);
  await signIn(page);

  // The create form takes a budget and a reset period; bad input is explained next to its field.
  await page.goto(`${url}/keys`);
  await hydrated(page);
  await page.getByLabel('Name').fill('capped');
  await page.getByLabel('Budget (USD)').fill('-1');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.locator('[data-field=budget]').getByText('more than zero').waitFor();
  await page.getByLabel('Budget (USD)').fill('');
  await page.getByLabel('Resets').selectOption('daily');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.locator('[data-field=budget_reset]').getByText('a reset needs a budget').waitFor();
  assert.equal(await page.locator('[data-field=budget]').count(), 0, 'the old error is gone');
  await page.getByLabel('Budget (USD)').fill('5');
  await page.getByLabel('Resets').selectOption('weekly');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secretEl = page.getByTestId('new-key-secret');
  await secretEl.waitFor();
  const secret = (await secretEl.textContent()).trim();
  assert.match(secret, /^sk-or-v1-[0-9a-f]{64}$/);
  const keyRow = page.getByTestId('key-row').filter({ hasText: 'capped' });
  await keyRow.waitFor();
  assert.match(await keyRow.textContent(), /\$5\.00 weekly/);
  await shot(page, '30-key-with-budget');

  // The navigation leads to the Budgets page with the keyboard alone.
  assert.ok(await tabUntil(page, () => document.activeElement?.dataset?.testid === 'nav-budgets'));
  await page.keyboard.press('Enter');
  await page.waitForURL(`${url}/budgets`);
  const row = budgetRow(page, 'capped');
  await row.waitFor();
  assert.equal(await amountOf(row, 'budget-amount'), '5.0000000000');
  assert.equal(await row.getByTestId('budget-period').textContent(), 'Weekly');
  assert.match(await row.textContent(), /resets \d{4}-\d{2}-\d{2} 00:00 UTC/);

  // Keyboard only: type the amount, pick the period, Tab to Save, Enter.
  await row.getByLabel('Budget (USD)').focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('10');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'reset');
  await page.keyboard.type('Monthly');
  assert.equal(await row.getByLabel('Resets').inputValue(), 'monthly');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'save-budget');
  await page.keyboard.press('Enter');
  await page.getByTestId('budget-saved').getByText('Budget of key “capped” saved.').waitFor();
  // the focus waits on the message, and Tab goes on into the table
  await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'status');
  await row.getByTestId('budget-period').getByText('Monthly').waitFor();
  assert.equal(await amountOf(row, 'budget-amount'), '10.0000000000');
  assert.ok((await row.textContent()).includes(`resets ${nextMonthStart()}`), await row.textContent());

  // A real call with the key passes.
  const ok = await chat(secret);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));

  // A bad amount is explained in the key's row and changes nothing.
  await row.getByLabel('Budget (USD)').fill('ten');
  await row.getByRole('button', { name: 'Save' }).click();
  await row.locator('[data-field=budget]').getByText('plain number').waitFor();
  assert.equal(await row.getByLabel('Budget (USD)').getAttribute('aria-invalid'), 'true');
  assert.equal(await amountOf(row, 'budget-amount'), '10.0000000000');

  // A tiny budget: the next call is refused.
  await row.getByLabel('Budget (USD)').fill('0.0000000001');
  await row.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=budget-row][data-key-name=capped] [data-testid=budget-amount] [data-amount]')?.dataset.amount === '0.0000000001',
  );
  const refused = await chat(secret);
  assert.equal(refused.status, 429, JSON.stringify(refused.body));
  assert.equal(refused.body.error.message, 'api key budget quota exceeded');

  // After a reload: the spend of the call that passed, nothing left, the bar full.
  let spend = '0.0000000000';
  for (let i = 0; i < 50 && spend === '0.0000000000'; i++) {
    await page.reload();
    await hydrated(page);
    spend = await amountOf(budgetRow(page, 'capped'), 'budget-spend');
    if (spend === '0.0000000000') await new Promise((r) => setTimeout(r, 200));
  }
  const after = budgetRow(page, 'capped');
  assert.ok(Number(spend) > 0, `spend shown: ${spend}`);
  assert.equal(await amountOf(after, 'budget-remaining'), '0.0000000000');
  const used = after.getByTestId('budget-used-percent');
  assert.ok(Number(await used.getAttribute('data-percent')) > 100);
  assert.equal((await used.textContent()).trim(), 'over budget');
  assert.equal(await after.locator('progress').getAttribute('value'), '100');
  assert.match(await after.locator('progress').getAttribute('aria-label'), /capped/);
  await shot(page, '31-budgets');
  assert.deepEqual(page.consoleErrors, []);

  // Without JavaScript the same form posts and comes back with the error next to the field.
  const plainContext = await ctx.browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await plainContext.newPage();
  await plain.goto(`${url}/budgets`);
  const plainRow = budgetRow(plain, 'capped');
  await plainRow.getByLabel('Budget (USD)').fill('-2');
  await plainRow.getByRole('button', { name: 'Save' }).click();
  await plainRow.locator('[data-field=budget]').getByText('more than zero').waitFor();
  assert.equal(await plainRow.getByLabel('Budget (USD)').getAttribute('aria-invalid'), 'true');
  await plainRow.getByLabel('Budget (USD)').fill('20');
  await plainRow.getByLabel('Resets').selectOption('daily');
  await plainRow.getByRole('button', { name: 'Save' }).click();
  await plainRow.getByTestId('budget-period').getByText('Daily').waitFor();
  assert.equal(await amountOf(plainRow, 'budget-amount'), '20.0000000000');
  assert.equal(await plainRow.locator('[data-field=budget]').count(), 0, 'no error left');
  await plainContext.close();

  // Raised again: the key works.
  const again = await chat(secret);
  assert.equal(again.status, 200, JSON.stringify(again.body));
});
