// A second person cannot see or touch the first person's keys, neither through the pages
// nor by calling the server functions directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, newPage, hydrated, shot } from '../harness.mjs';

const ctx = serverAndBrowser();

async function signUp(page, email) {
  await page.goto(`${ctx.server.url}/sign-up`);
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign up|create account/i }).click();
  await page.waitForURL(`${ctx.server.url}/`);
}

/** Calls a console server function from inside the page, as the page's own code would. */
async function callServerFn(page, name, args) {
  return page.evaluate(
    async ([name, args]) => {
      const r = await fetch(`/console/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(args).toString(),
      });
      return { status: r.status, body: await r.text() };
    },
    [name, args],
  );
}

test("another person's keys are invisible and untouchable", async () => {
  const ada = await newPage(ctx.browser);
  await signUp(ada, 'ada@example.com');
  await ada.goto(`${ctx.server.url}/keys`);
  await hydrated(ada);
  await ada.getByLabel('Name').fill('ada-prod');
  await ada.getByRole('button', { name: 'Create key' }).click();
  await ada.getByTestId('new-key-secret').waitFor();
  const adaKeys = JSON.parse((await callServerFn(ada, 'list_keys', {})).body);
  const keyId = adaKeys[0].id;
  const adaViewer = JSON.parse((await callServerFn(ada, 'get_viewer', {})).body);

  const bob = await newPage(ctx.browser);
  await signUp(bob, 'bob@example.com');
  await bob.goto(`${ctx.server.url}/keys`);
  await hydrated(bob);
  await shot(bob, '06-other-user-keys');
  assert.equal(await bob.getByTestId('key-row').count(), 0);
  assert.ok(!(await bob.content()).includes('ada-prod'));

  const bobViewer = JSON.parse((await callServerFn(bob, 'get_viewer', {})).body);
  const revoke = await callServerFn(bob, 'change_key', { csrf: bobViewer.csrf, key_id: keyId, action: 'revoke' });
  assert.equal(revoke.status, 404, revoke.body);
  const sw = await callServerFn(bob, 'switch_org', { csrf: bobViewer.csrf, org_id: adaViewer.org.id });
  assert.equal(sw.status, 404, sw.body);
  // Bob's own CSRF token is worthless in Ada's session and vice versa.
  const forged = await callServerFn(ada, 'change_key', { csrf: bobViewer.csrf, key_id: keyId, action: 'revoke' });
  assert.equal(forged.status, 403, forged.body);

  // Ada's key is still active.
  await ada.goto(`${ctx.server.url}/keys`);
  await hydrated(ada);
  const status = await ada.getByTestId('key-row').filter({ hasText: 'ada-prod' }).getByTestId('key-status').textContent();
  assert.match(status, /active/);
  assert.deepEqual([...ada.consoleErrors, ...bob.consoleErrors], []);
});
