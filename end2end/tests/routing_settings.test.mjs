// Settings → Routing in the console, against a real server whose providers point at the
// upstream double: reached from the navigation with the keyboard, auto routing turned off
// (a real `model: "auto"` call gets 400 telling to name a model) and on again (200), an
// out-of-range preference explained next to its field, the slider and the number kept in
// step, and the same form without JavaScript.
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

async function auto(secret) {
  const r = await fetch(`${ctx.server.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'auto', max_tokens: 16, messages: [{ role: 'user', content: 'route me' }] }),
  });
  return { status: r.status, body: await r.json() };
}

/** Polls `check` (after a plain form post the page reloads) until it holds. */
async function until(check) {
  for (let i = 0; i < 100; i++) {
    try {
      if (await check()) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never held: ${check}`);
}

test('an owner turns auto routing off and on in Settings → Routing; real "auto" calls follow', async () => {
  const url = ctx.server.url;
  ctx.server.cli(['admin', 'credit', '--email', ADMIN, '--amount', '20']);
  const secret = ctx.server.cli(['admin', 'create-key', '--email', ADMIN, '--name', 'router']);
  const first = await auto(secret);
  assert.equal(first.status, 200, JSON.stringify(first.body));

  const page = await newPage(ctx.browser);
  await signInAs(page, url, ADMIN, PASSWORD);
  assert.ok(await tabUntil(page, () => document.activeElement?.dataset?.testid === 'nav-routing'));
  await page.keyboard.press('Enter');
  await page.waitForURL(`${url}/settings/routing`);
  const toggle = page.getByRole('checkbox', { name: 'Auto routing' });
  await toggle.waitFor();
  assert.equal(await toggle.isChecked(), true, 'on by default');
  assert.equal(await page.getByTestId('preference').inputValue(), '0');

  // Keyboard only: Space unticks the box, Tab to the number, Tab to Save, Enter.
  await toggle.focus();
  await page.keyboard.press('Space');
  assert.equal(await toggle.isChecked(), false);
  await page.getByTestId('preference').focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('0.5');
  assert.equal(await page.getByTestId('preference-range').inputValue(), '0.5', 'the slider follows the number');
  assert.equal(await page.getByTestId('preference-words').textContent(), 'a balance of cost and quality');
  await page.getByTestId('save-routing').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('routing-saved').getByText('auto routing off').waitFor();
  await shot(page, '43-routing-off');

  const off = await auto(secret);
  assert.equal(off.status, 400, JSON.stringify(off.body));
  assert.match(off.body.error.message, /^auto routing is turned off for this organization: name a model/);

  // An out-of-range preference is explained next to its field and changes nothing.
  await page.getByTestId('preference').fill('2');
  await page.getByTestId('save-routing').click();
  await page.locator('[data-field=preference]').getByText('from 0 (cheapest) to 1 (best quality)').waitFor();
  assert.equal(await page.getByTestId('preference').getAttribute('aria-invalid'), 'true');
  assert.equal((await auto(secret)).status, 400, 'still off');

  // The slider moves the number too; back on.
  await page.getByTestId('preference-range').fill('0.75');
  assert.equal(await page.getByTestId('preference').inputValue(), '0.75');
  await page.getByRole('checkbox', { name: 'Auto routing' }).check();
  await page.getByTestId('save-routing').click();
  await page.getByTestId('routing-saved').getByText('auto routing on').waitFor();
  assert.equal(await page.locator('[data-field=preference]').count(), 0, 'no error left');
  const on = await auto(secret);
  assert.equal(on.status, 200, JSON.stringify(on.body));

  await page.reload();
  await hydrated(page);
  assert.equal(await page.getByRole('checkbox', { name: 'Auto routing' }).isChecked(), true);
  assert.equal(await page.getByTestId('preference').inputValue(), '0.75');
  assert.deepEqual(page.consoleErrors, []);

  // Without JavaScript: the number alone is posted, errors come back next to it.
  const plainContext = await ctx.browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await plainContext.newPage();
  await plain.goto(`${url}/settings/routing`);
  assert.equal(await plain.getByTestId('preference-range').count(), 0, 'no slider without JavaScript');
  await plain.getByTestId('preference').fill('-1');
  await plain.getByTestId('save-routing').click();
  await plain.locator('[data-field=preference]').getByText('from 0 (cheapest) to 1 (best quality)').waitFor();
  await plain.getByRole('checkbox', { name: 'Auto routing' }).uncheck();
  await plain.getByTestId('preference').fill('1');
  await plain.getByTestId('save-routing').click();
  await until(async () => !(await plain.getByTestId('auto-routing').isChecked()) && (await plain.locator('[data-field=preference]').count()) === 0);
  assert.equal(await plain.getByTestId('preference').inputValue(), '1');
  assert.equal((await auto(secret)).status, 400);
  await plain.getByRole('checkbox', { name: 'Auto routing' }).check();
  await plain.getByTestId('save-routing').click();
  await until(() => plain.getByTestId('auto-routing').isChecked());
  await plainContext.close();
  assert.equal((await auto(secret)).status, 200);
});
