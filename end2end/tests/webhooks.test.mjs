// Video webhooks in Chromium against a real server (ModelArk pointed at the upstream double)
// and a local receiver: a video job submitted with a webhook_url is delivered (a first 500,
// then 200, so two attempts), and the Webhooks page shows the delivery with both attempts; the
// secret revealed in the page verifies the receiver's signature; Copy works; the owner rotates
// the secret in two steps. Every page hydrates without a console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import crypto from 'node:crypto';
import { startServer, startUpstreamDouble, launchBrowser, newPage, hydrated, shot, signIn } from '../harness.mjs';

const ADMIN = 'root@example.com';
const PASSWORD = 'correct horse battery';

/** A receiver on 127.0.0.1 that answers 500 once, then 200, and keeps what it got. */
function startReceiver() {
  const seen = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = seen.length === 1 ? 500 : 200;
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, seen, stop: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** The README's Node verifier, minus the timestamp window (the test checks a fixed delivery). */
function signs(secret, header, body) {
  const t = /t=(\d+)/.exec(header)?.[1];
  const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1];
  if (!t || !v1) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

async function until(check, what) {
  for (let i = 0; i < 300; i++) {
    try {
      if (await check()) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never held: ${what}`);
}

const ctx = {};
before(async () => {
  ctx.double = await startUpstreamDouble();
  ctx.receiver = await startReceiver();
  ctx.server = await startServer({
    GATEAI_ADMIN_EMAIL: ADMIN,
    GATEAI_ADMIN_PASSWORD: PASSWORD,
    ARK_API_KEY: 'sk-upstream-test',
    ARK_BASE_URL: `${ctx.double.url}/api/v3`,
    GATEAI_VIDEO_POLL_MS: '50',
    GATEAI_VIDEO_MAX_POLL_MS: '200',
    // the receiver is on 127.0.0.1 over plain http: allowed for this test only
    GATEAI_ALLOW_PRIVATE_WEBHOOKS: 'true',
    GATEAI_ALLOW_HTTP_WEBHOOKS: 'true',
    GATEAI_WEBHOOK_BACKOFF_BASE_MS: '300',
  });
  ctx.server.cli(['admin', 'credit', '--email', ADMIN, '--amount', '50']);
  ctx.key = ctx.server.cli(['admin', 'create-key', '--email', ADMIN, '--name', 'webhooks-e2e']);
  ctx.browser = await launchBrowser();
});
after(async () => {
  await ctx.browser?.close();
  await ctx.server?.stop();
  await ctx.receiver?.stop();
  await ctx.double?.stop();
});

test('a video job with a webhook is delivered, and the Webhooks page shows the delivery and its attempts', async () => {
  const url = ctx.server.url;
  const submitted = await fetch(`${url}/api/v1/videos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bytedance/seedance-2.0', prompt: 'a kite over the sea', webhook_url: `${ctx.receiver.url}/hooks/video` }),
  });
  assert.equal(submitted.status, 202, await submitted.clone().text());
  const jobId = (await submitted.json()).data.job_id;
  await until(() => ctx.receiver.seen.length >= 2, 'two deliveries (500, then 200)');
  const [first, second] = ctx.receiver.seen;
  assert.equal(second.path, '/hooks/video');
  assert.equal(second.headers['x-gateai-delivery'], first.headers['x-gateai-delivery']);
  assert.equal(second.headers['x-gateai-event'], 'video.completed');
  assert.equal(JSON.parse(second.body).data.job_id, jobId);

  const page = await newPage(ctx.browser);
  await signIn(page, url, ADMIN, PASSWORD);
  await page.getByTestId('nav-webhooks').click();
  await page.waitForURL(`${url}/webhooks`);
  await hydrated(page);
  const row = page.locator(`[data-testid=delivery-row][data-job-id="${jobId}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'delivered');
  assert.equal(await row.getAttribute('data-delivery-id'), second.headers['x-gateai-delivery']);
  assert.equal((await row.getByTestId('delivery-status').textContent()).trim(), 'delivered');
  assert.equal((await row.getByTestId('delivery-url').textContent()).trim(), `${ctx.receiver.url}/hooks/video`);
  const results = await row.getByTestId('attempt-result').allTextContents();
  assert.deepEqual(results, ['HTTP 500', 'HTTP 200']);
  assert.deepEqual(await row.getByTestId('attempt').evaluateAll((as) => as.map((a) => a.dataset.ok)), ['false', 'true']);

  // the secret: masked, revealed whole, and it verifies what the receiver got
  const secret = page.getByTestId('webhook-secret');
  assert.match(await secret.textContent(), /^whsec_…[0-9a-f]{4}$/);
  await page.getByTestId('reveal-secret').click();
  await page.locator('[data-testid=webhook-secret][data-revealed=true]').waitFor();
  const whole = (await secret.textContent()).trim();
  assert.match(whole, /^whsec_[0-9a-f]{64}$/);
  assert.ok(signs(whole, second.headers['x-gateai-signature'], second.body), 'the revealed secret signs the delivery');
  await page.getByTestId('copy-button').click();
  await page.getByTestId('copy-status').getByText('Copied to the clipboard.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), whole);
  await shot(page, 'webhooks-page');

  // rotating, in two steps: a new secret, shown at once
  await page.getByTestId('rotate-secret').click();
  await page.getByTestId('confirm-rotate-secret').click();
  await page.getByTestId('secret-rotated').waitFor();
  await until(async () => {
    const now = (await secret.textContent()).trim();
    return /^whsec_[0-9a-f]{64}$/.test(now) && now !== whole;
  }, 'the new secret is shown');
  await page.getByTestId('hide-secret').click();
  await page.locator('[data-testid=webhook-secret][data-revealed=false]').waitFor();
  await shot(page, 'webhooks-rotated');
  assert.deepEqual(page.consoleErrors, []);
});
