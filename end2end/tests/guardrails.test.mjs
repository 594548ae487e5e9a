// Guardrails in the console, against a real server whose providers point at the upstream
// double: reached from the navigation with the keyboard, an allowlist picked from the catalog
// that makes a real API call 403 `model not allowed by guardrail policy`, a bad value explained
// next to its field, a tiny budget that makes the next call 429 `guardrail budget limit
// exceeded` (and, for the whole organization, `organization guardrail budget limit exceeded`),
// the audit log, and the same forms without JavaScript (an error, then deleting the guardrail).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startUpstreamDouble, launchBrowser, newPage, hydrated, shot, signIn as signInAs, tabUntil } from '../harness.mjs';

const ADMIN = 'root@example.com';
const PASSWORD = 'correct horse battery';
const UPSTREAM_KEY = 'sk-upstream-test';
const GPT = 'openai/gpt-5-mini';
const HAIKU = 'anthropic/claude-haiku-4.5';

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

async function chat(secret, model) {
  const r = await fetch(`${ctx.server.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, max_tokens: 32, messages: [{ role: 'user', content: 'hello from the guardrails test' }] }),
  });
  return { status: r.status, body: await r.json() };
}

const card = (page, name) => page.locator(`[data-testid=guardrail][data-guardrail-name="${name}"]`);

test('an owner sets an allowlist and budgets on the Guardrails page; real API calls are refused', async () => {
  const url = ctx.server.url;
  ctx.server.cli(['admin', 'credit', '--email', ADMIN, '--amount', '50']);
  const secret = ctx.server.cli(['admin', 'create-key', '--email', ADMIN, '--name', 'ci']);
  assert.match(secret, /^sk-or-v1-[0-9a-f]{64}$/);
  assert.equal((await chat(secret, GPT)).status, 200, 'the key works before any guardrail');

  const page = await newPage(ctx.browser);
  await signInAs(page, url, ADMIN, PASSWORD);

  // The navigation leads to the Guardrails page with the keyboard alone.
  assert.ok(await tabUntil(page, () => document.activeElement?.dataset?.testid === 'nav-guardrails'));
  await page.keyboard.press('Enter');
  await page.waitForURL(`${url}/guardrails`);
  await page.getByTestId('guardrails-empty').waitFor();

  // Create: a name, all of Anthropic's models from the picker, the key "ci".
  const create = page.getByTestId('create-guardrail-form');
  await create.getByLabel('Name').fill('Claude only');
  await create.getByLabel('Description').fill('CI may only call Claude');
  await create.locator('input[data-value="anthropic/*"]').check();
  await create.getByRole('checkbox', { name: /^ci\b/ }).check();
  await create.getByRole('button', { name: 'Create guardrail' }).click();
  await page.getByTestId('guardrail-saved').getByText('Guardrail “Claude only” created.').waitFor();
  // the focus waits on the message that says it worked
  await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'status');
  const claude = card(page, 'Claude only');
  await claude.waitFor();
  assert.equal((await claude.getByTestId('guardrail-models').textContent()).trim(), 'anthropic/*');
  assert.equal((await claude.getByTestId('guardrail-applies').textContent()).trim(), 'ci');
  assert.equal(await create.getByLabel('Name').inputValue(), '', 'the create form is empty again');

  // The gateway follows at once: another provider's model is refused, Claude passes.
  const refused = await chat(secret, GPT);
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.equal(refused.body.error.message, 'model not allowed by guardrail policy');
  assert.equal((await chat(secret, HAIKU)).status, 200);
  await shot(page, '40-guardrails');

  // A bad value is explained next to its field and changes nothing. The edit form opens
  // from the keyboard.
  await claude.getByTestId('edit-guardrail').focus();
  await page.keyboard.press('Enter');
  assert.equal(await claude.locator('details.guardrail-edit').evaluate((d) => d.open), true);
  const edit = claude.getByTestId('guardrail-edit-form');
  await edit.getByLabel('Requests per minute').fill('0');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.locator('[data-field=requests_per_minute]').getByText('between 1 and').waitFor();
  assert.equal(await edit.getByLabel('Requests per minute').getAttribute('aria-invalid'), 'true');
  assert.equal((await claude.getByTestId('guardrail-rates').textContent()).trim(), 'none');
  await edit.getByLabel('Requests per minute').fill('');
  await edit.getByLabel('Budget (USD)').fill('-5');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.locator('[data-field=limit_usd]').getByText('zero or more').waitFor();
  assert.equal(await edit.locator('[data-field=requests_per_minute]').count(), 0, 'the old error is gone');
  await shot(page, '41-guardrail-error');

  // A tiny daily budget, any model: the next call is refused by the budget.
  await edit.getByLabel('Budget (USD)').fill('0.0000000001');
  await edit.getByLabel('Resets').selectOption('daily');
  await edit.locator('input[data-value="anthropic/*"]').uncheck();
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('guardrail-saved').getByText('Guardrail “Claude only” saved.').waitFor();
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=guardrail][data-guardrail-name="Claude only"] [data-testid=guardrail-budget] [data-amount]')?.dataset.amount === '0.0000000001',
  );
  assert.equal((await claude.getByTestId('guardrail-models').textContent()).trim(), 'any model');
  assert.equal(await claude.getByTestId('guardrail-period').textContent(), 'Daily');
  const capped = await chat(secret, GPT);
  assert.equal(capped.status, 429, JSON.stringify(capped.body));
  assert.equal(capped.body.error.message, 'guardrail budget limit exceeded');

  // The same budget for the whole organization instead of the key.
  await claude.getByTestId('edit-guardrail').click();
  await edit.getByRole('checkbox', { name: /^ci\b/ }).uncheck();
  await edit.getByLabel('Applies to the whole organization').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await claude.getByTestId('guardrail-whole-org').waitFor();
  const orgCapped = await chat(secret, GPT);
  assert.equal(orgCapped.status, 429, JSON.stringify(orgCapped.body));
  assert.equal(orgCapped.body.error.message, 'organization guardrail budget limit exceeded');

  // The audit log lists the changes, with who made them.
  await page.goto(`${url}/audit`);
  await hydrated(page);
  const rows = page.getByTestId('audit-row');
  await rows.first().waitFor();
  const actions = await rows.evaluateAll((els) => els.map((e) => e.dataset.action));
  for (const a of ['guardrail.create', 'guardrail.assign_keys', 'guardrail.update', 'guardrail.assign_org', 'guardrail.unassign_keys']) {
    assert.ok(actions.includes(a), `${a} in ${actions}`);
  }
  assert.equal((await rows.first().getByTestId('audit-who').textContent()).trim(), ADMIN);
  await shot(page, '42-audit-log');
  assert.deepEqual(page.consoleErrors, []);

  // Without JavaScript the forms post: an error next to its field, then the guardrail deleted.
  const plainContext = await ctx.browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await plainContext.newPage();
  await plain.goto(`${url}/guardrails`);
  const plainCard = card(plain, 'Claude only');
  await plainCard.getByTestId('edit-guardrail').click();
  await plainCard.getByLabel('Budget (USD)').fill('ten');
  await plainCard.getByRole('button', { name: 'Save' }).click();
  await plainCard.locator('[data-field=limit_usd]').getByText('plain number').waitFor();
  assert.equal(await plainCard.getByLabel('Budget (USD)').getAttribute('aria-invalid'), 'true');
  await plainCard.getByTestId('delete-guardrail').click();
  await plainCard.getByTestId('confirm-delete-guardrail').click();
  await plain.getByTestId('guardrails-empty').waitFor();
  await plainContext.close();

  // Gone: the key calls any model again.
  const again = await chat(secret, GPT);
  assert.equal(again.status, 200, JSON.stringify(again.body));
});
