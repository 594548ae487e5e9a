// The console's gateway pages against a real server whose providers point at the upstream
// double: the marketplace (visitors too, search and filters as a GET form), a model page's
// snippets (this instance's URL, copy), the activity log and the dashboard's spend chart
// after requests made with a key, and the admin catalog (a price change charges the next
// request) and providers pages. Every page hydrates without a console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, newPage, hydrated, shot, startUpstreamDouble, signIn as signInAs, tabUntil } from '../harness.mjs';

const ADMIN = 'root@example.com';
const PASSWORD = 'correct horse battery';
const UPSTREAM_KEY = 'sk-upstream-test';


// The double runs first: its address goes into the server's environment (one hook, since
// node may run several `before` hooks at once).
const ctx = {};
let double;
before(async () => {
  double = await startUpstreamDouble();
  ctx.server = await startServer({
    GATEAI_ADMIN_EMAIL: ADMIN,
    GATEAI_ADMIN_PASSWORD: PASSWORD,
    OPENAI_API_KEY: UPSTREAM_KEY,
    OPENAI_BASE_URL: `${double.url}/v1`,
    ANTHROPIC_API_KEY: UPSTREAM_KEY,
    ANTHROPIC_BASE_URL: double.url,
  });
  ctx.browser = await launchBrowser();
});
after(async () => {
  await ctx.browser?.close();
  await ctx.server?.stop();
  await double?.stop();
});

const signIn = (page) => signInAs(page, ctx.server.url, ADMIN, PASSWORD);

let key;
function apiKey() {
  if (!key) {
    key = ctx.server.cli(['admin', 'create-key', '--email', ADMIN, '--name', 'e2e-key']);
    ctx.server.cli(['admin', 'credit', '--email', ADMIN, '--amount', '50']);
  }
  return key;
}

async function chat(model, { anthropic = false } = {}) {
  const url = ctx.server.url;
  const body = { model, max_tokens: 32, messages: [{ role: 'user', content: 'hello from the browser tests' }] };
  const r = anthropic
    ? await fetch(`${url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey(), 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    : await fetch(`${url}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
  return { status: r.status, id: r.headers.get('x-request-id'), body: await r.json() };
}

const cardIds = (page) => page.getByTestId('model-card').evaluateAll((cards) => cards.map((c) => c.dataset.model));

test('visitors browse the marketplace; search and filters narrow it, with or without JavaScript', async () => {
  const page = await newPage(ctx.browser);
  const url = ctx.server.url;
  await page.goto(`${url}/models`);
  await hydrated(page);
  await page.getByTestId('visitor-sign-in').waitFor();
  const all = await cardIds(page);
  assert.ok(all.includes('openai/gpt-5-mini') && all.includes('anthropic/claude-haiku-4.5'), all.join());
  assert.ok(!all.includes('x-ai/grok-4'), 'providers without a key are not listed');
  await shot(page, '20-models');

  await page.getByLabel('Search').fill('haiku');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/models\?q=haiku/);
  await hydrated(page);
  assert.deepEqual(await cardIds(page), ['anthropic/claude-haiku-4.5']);

  await page.goto(`${url}/models`);
  await hydrated(page);
  await page.getByLabel('Provider').selectOption('openai');
  await page.getByLabel('Max input price (USD / 1M)').fill('0.3');
  await page.getByLabel('Tool calling').check();
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/provider=openai/);
  await hydrated(page);
  const cheap = await cardIds(page);
  assert.ok(cheap.length > 0 && cheap.includes('openai/gpt-5-mini'), cheap.join());
  assert.ok(cheap.every((id) => id.startsWith('openai/')), cheap.join());
  assert.ok(!cheap.includes('openai/gpt-5'), 'over the price');
  await shot(page, '21-models-filtered');

  await page.getByLabel('Max input price (USD / 1M)').fill('cheap');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/max_price=cheap/);
  await hydrated(page);
  await page.locator('[data-field=max_price]').getByText('enter a price').waitFor();
  assert.deepEqual(page.consoleErrors, []);

  // without JavaScript: the server filters
  const context = await ctx.browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto(`${url}/models?q=haiku`);
  assert.deepEqual(await cardIds(plain), ['anthropic/claude-haiku-4.5']);
  await context.close();
});

test('a model page gives snippets for this instance, copied with a click or the keyboard', async () => {
  const page = await newPage(ctx.browser);
  const url = ctx.server.url;
  await signIn(page);
  // the navigation leads there with the keyboard alone
  assert.ok(await tabUntil(page, () => document.activeElement?.dataset?.testid === 'nav-models'));
  await page.keyboard.press('Enter');
  await page.waitForURL(`${url}/models`);
  await page.getByTestId('model-card').first().waitFor();
  await page.goto(`${url}/models/openai/gpt-5-mini`);
  await hydrated(page);
  await page.getByTestId('model-id').getByText('openai/gpt-5-mini').waitFor();
  const code = (id) => page.getByTestId(`snippet-${id}`).getByTestId('snippet-code').textContent();
  assert.ok((await code('curl-openai')).includes(`curl ${url}/openai/v1/chat/completions`));
  assert.ok((await code('curl-anthropic')).includes(`${url}/anthropic/v1/messages`));
  assert.ok((await code('python-openai')).includes(`base_url="${url}/openai/v1"`));
  assert.ok((await code('python-anthropic')).includes(`base_url="${url}/anthropic"`));
  assert.ok((await code('node-openai')).includes(`baseURL: "${url}/openai/v1"`));
  assert.ok((await code('claude-code')).includes(`ANTHROPIC_BASE_URL="${url}/anthropic"`));
  assert.ok((await code('claude-code')).includes('ANTHROPIC_MODEL="openai/gpt-5-mini"'));
  assert.ok((await code('hermes')).includes(`base_url: ${url}/openai/v1`));
  for (const id of ['cursor', 'claude-desktop', 'qclaw', 'autoclaw']) {
    assert.ok((await code(id)).includes('openai/gpt-5-mini'), id);
  }
  await shot(page, '22-model-page');

  const curl = page.getByTestId('snippet-curl-openai');
  await curl.getByTestId('copy-button').click();
  await curl.getByTestId('copy-status').getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await code('curl-openai'));
  // keyboard: Tab reaches the Python snippet's copy button, Enter copies
  await page.getByTestId('snippet-curl-anthropic').getByTestId('copy-button').focus();
  assert.ok(
    await tabUntil(page, () => document.activeElement?.closest('[data-testid=snippet-python-openai]') && document.activeElement.dataset.testid === 'copy-button', 10),
  );
  await page.keyboard.press('Enter');
  await page.getByTestId('snippet-python-openai').getByTestId('copy-status').getByText('Copied').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await code('python-openai'));

  await page.goto(`${url}/models/x-ai/grok-4`);
  await hydrated(page);
  await page.getByText('Model not found').first().waitFor();
  assert.deepEqual(page.consoleErrors, []);
});

test('requests made with a key show in the activity log and the dashboard chart', async () => {
  const page = await newPage(ctx.browser);
  const url = ctx.server.url;
  assert.equal((await chat('openai/gpt-5-mini')).status, 200);
  assert.equal((await chat('openai/gpt-5-mini')).status, 200);
  assert.equal((await chat('anthropic/claude-haiku-4.5', { anthropic: true })).status, 200);
  const missing = await chat('no/such-model');
  assert.equal(missing.status, 404);
  await signIn(page);

  // the log is written off the request path: look until it is there
  for (let i = 0; i < 50; i++) {
    await page.goto(`${url}/activity`);
    await hydrated(page);
    if ((await page.getByTestId('request-row').count()) >= 4) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const rows = page.getByTestId('request-row');
  assert.ok((await rows.count()) >= 4);
  const mini = rows.filter({ has: page.locator('code', { hasText: 'openai/gpt-5-mini' }) }).first();
  assert.match(await mini.textContent(), /e2e-key/);
  assert.match(await mini.textContent(), /openai/);
  assert.ok(Number(await page.getByTestId('total-requests').textContent()) >= 4);
  assert.ok(Number(await page.getByTestId('total-errors').textContent()) >= 1);
  await shot(page, '23-activity');

  await page.getByLabel('Status').selectOption('error');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/status=error/);
  await hydrated(page);
  const statuses = await page.getByTestId('request-row').evaluateAll((rs) => rs.map((r) => r.dataset.status));
  assert.ok(statuses.length >= 1 && statuses.every((s) => s === 'error'), statuses.join());
  await page.getByText('no model config found for: no/such-model').first().waitFor();

  await page.goto(`${url}/activity?from=2026-02-30`);
  await hydrated(page);
  await page.locator('[data-field=from]').getByText('use a date like').waitFor();

  await page.goto(`${url}/`);
  await hydrated(page);
  const svg = page.getByTestId('spend-svg');
  await svg.waitFor();
  assert.equal(await svg.locator('title').first().textContent(), 'Spend by day and model, last 30 days');
  assert.ok((await page.locator('[data-testid=spend-bar] rect').count()) >= 1, 'bars drawn');
  assert.match(await page.getByTestId('spend-legend').textContent(), /openai\/gpt-5-mini/);
  assert.ok((await page.getByTestId('request-row').count()) >= 4, 'recent requests on the dashboard');
  await shot(page, '24-dashboard-spend');
  assert.deepEqual(page.consoleErrors, []);
});

test('an admin changes a price and disables a model in the catalog; requests follow at once', async () => {
  const page = await newPage(ctx.browser);
  const url = ctx.server.url;
  await signIn(page);
  await page.goto(`${url}/admin/catalog`);
  await hydrated(page);
  const row = page.locator('[data-testid=catalog-row][data-model="openai/gpt-5-mini"]');
  assert.equal(await row.getByTestId('catalog-price-input').textContent(), '$0.25');
  await shot(page, '25-admin-catalog');
  await row.getByTestId('edit-model').click();
  await page.waitForURL(`${url}/admin/catalog/openai/gpt-5-mini`);
  await hydrated(page);

  // a bad price is explained next to its field and saves nothing
  const inputPrice = page.locator('#field-price_input');
  await inputPrice.fill('-1');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('[data-field=price_input]').getByText('enter a price').waitFor();

  await inputPrice.fill('10');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('model-saved').waitFor();
  await shot(page, '26-admin-catalog-edit');

  const r = await chat('openai/gpt-5-mini');
  assert.equal(r.status, 200);
  const { prompt_tokens: p, completion_tokens: c } = r.body.usage;
  const units = BigInt(p) * 100000n + BigInt(c) * 20000n; // 10 and 2 USD per 1M, in 10⁻¹⁰ USD
  const expected = `${units / 10_000_000_000n}.${(units % 10_000_000_000n).toString().padStart(10, '0')}`;
  let cost;
  for (let i = 0; i < 50 && !cost; i++) {
    await page.goto(`${url}/activity`);
    await hydrated(page);
    const cell = page.locator(`[data-request-id="${r.id}"] td[title$=" USD"]`);
    if (await cell.count()) cost = (await cell.getAttribute('title')).replace(' USD', '');
    else await new Promise((res) => setTimeout(res, 200));
  }
  assert.equal(cost, expected, 'charged at the new price');

  await page.goto(`${url}/admin/catalog/openai/gpt-5-mini`);
  await hydrated(page);
  await page.getByLabel('Status').selectOption('disabled');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('model-saved').waitFor();
  const gone = await chat('openai/gpt-5-mini');
  assert.equal(gone.status, 404);
  assert.equal(gone.body.error.message, 'no model config found for: openai/gpt-5-mini');
  await page.goto(`${url}/models`);
  await hydrated(page);
  assert.ok(!(await cardIds(page)).includes('openai/gpt-5-mini'));

  await page.goto(`${url}/admin/catalog/openai/gpt-5-mini`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Reset to the shipped values' }).click();
  await page.getByTestId('model-reset').waitFor();
  assert.equal((await chat('openai/gpt-5-mini')).status, 200);

  await page.goto(`${url}/admin/providers`);
  await hydrated(page);
  const openai = page.locator('[data-testid=provider-row][data-provider=openai]');
  assert.equal(await openai.getAttribute('data-state'), 'on');
  assert.ok(Number(await openai.getByTestId('provider-requests').textContent()) >= 1);
  assert.equal(await page.locator('[data-testid=provider-row][data-provider=x-ai]').getAttribute('data-state'), 'off');
  assert.ok(!(await page.content()).includes(UPSTREAM_KEY), 'never a provider key');
  await shot(page, '27-admin-providers');
  assert.deepEqual(page.consoleErrors, []);
});
