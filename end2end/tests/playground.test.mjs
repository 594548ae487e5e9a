// The chat playground (`/playground`) in Chromium against a real server whose providers point
// at the upstream double (which streams one word a chunk, slowed down so the stream is seen
// growing): a guest picks a model and chats (answer streamed into the page, the answering
// model and the tokens under it, the whole conversation sent each turn, Stop, New chat, the
// allowance going down); a signed-in person chats on their organization's balance, which goes
// down, and a free model moves the dashboard's free-model counter; a guest over a tiny daily
// limit reads the limit message in the page. Every page hydrates without a console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startUpstreamDouble, launchBrowser, newPage, hydrated, shot, signIn as signInAs } from '../harness.mjs';

const ADMIN = 'root@example.com';
const PASSWORD = 'correct horse battery';
const UPSTREAM_KEY = 'sk-upstream-test';
const GUEST_LIMIT = 'Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan.';
const GUEST_LINE = 'You are trying Gate.AI as a guest: a small daily spending limit applies. Sign up for more.';

const ctx = {};
before(async () => {
  ctx.double = await startUpstreamDouble(['--chunk-delay-ms', '120']);
  const providers = {
    GATEAI_ADMIN_EMAIL: ADMIN,
    GATEAI_ADMIN_PASSWORD: PASSWORD,
    OPENAI_API_KEY: UPSTREAM_KEY,
    OPENAI_BASE_URL: `${ctx.double.url}/v1`,
    ANTHROPIC_API_KEY: UPSTREAM_KEY,
    ANTHROPIC_BASE_URL: ctx.double.url,
    ZAI_API_KEY: UPSTREAM_KEY,
    ZAI_BASE_URL: `${ctx.double.url}/v1`,
  };
  ctx.server = await startServer(providers);
  // the same, with a guest allowance too small for any paid answer
  ctx.tiny = await startServer({ ...providers, GATEAI_GUEST_DAILY_USD: '0.000001' });
  for (const s of [ctx.server, ctx.tiny]) s.cli(['admin', 'credit', '--guest-pool', '--amount', '5']);
  ctx.browser = await launchBrowser();
});
after(async () => {
  await ctx.browser?.close();
  await ctx.server?.stop();
  await ctx.tiny?.stop();
  await ctx.double?.stop();
});

/** What the double received, newest last. */
async function upstreamRequests() {
  const r = await fetch(`${ctx.double.url}/_double/requests`);
  return (await r.json()).filter((q) => q.path.includes('chat/completions') || q.path.includes('messages'));
}

/** Polls `check` until it holds. */
async function until(check, what = String(check)) {
  for (let i = 0; i < 150; i++) {
    try {
      if (await check()) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never held: ${what}`);
}

/** Records every text the last answer shows while it streams (from before Send is pressed). */
async function watchAnswers(page) {
  await page.evaluate(() => {
    window.__seen = [];
    const thread = document.querySelector('[data-testid=thread]');
    new MutationObserver(() => {
      const answers = thread.querySelectorAll('[data-testid=answer-text]');
      const last = answers[answers.length - 1];
      if (!last) return;
      const live = last.closest('[data-testid=turn-assistant]').dataset.live === 'true';
      const text = last.textContent.replace('…', '');
      if (live && text && window.__seen[window.__seen.length - 1] !== text) window.__seen.push(text);
    }).observe(thread, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

async function send(page, text) {
  await page.getByLabel('Message').fill(text);
  await page.getByTestId('send').click();
}

const lastAnswer = (page) => page.getByTestId('turn-assistant').last();

async function answered(page) {
  await lastAnswer(page).and(page.locator('[data-done=true]')).waitFor();
  return (await lastAnswer(page).getByTestId('answer-text').textContent()).trim();
}

test('a guest chats in the playground: the answer streams in, with its model and tokens', async () => {
  const url = ctx.server.url;
  const page = await newPage(ctx.browser);
  const resp = await page.goto(`${url}/playground`);
  assert.equal(resp.status(), 200, 'guests are not sent to sign in');
  await hydrated(page);
  await page.getByTestId('guest-notice').getByText(GUEST_LINE).waitFor();
  assert.equal(await page.getByTestId('guest-sign-up').getAttribute('href'), '/sign-up?next=/playground');
  assert.equal(await page.getByTestId('guest-sign-in').getAttribute('href'), '/sign-in?next=/playground');
  const allowance = page.getByTestId('guest-allowance');
  await allowance.waitFor();
  const before = Number(await allowance.getAttribute('data-remaining'));
  assert.ok(before > 0, `a fresh guest has an allowance: ${before}`);

  const options = await page.getByLabel('Model').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.equal(options[0], 'auto');
  assert.ok(options.includes('openai/gpt-5-mini') && options.includes('anthropic/claude-haiku-4.5'), options.join());
  assert.ok(!options.includes('bytedance/seedance-2.0'), 'chat models only');
  await page.getByLabel('Model').selectOption('openai/gpt-5-mini');
  await page.getByLabel(/System prompt/).fill('You answer in one line.');

  await watchAnswers(page);
  await send(page, 'hello from a guest');
  await page.getByTestId('stop').waitFor();
  const first = await answered(page);
  assert.equal(first, 'Hello from gpt-5-mini! You said: hello from a guest');
  const seen = await page.evaluate(() => window.__seen);
  assert.ok(seen.length >= 3, `the answer grew in steps while streaming: ${JSON.stringify(seen)}`);
  assert.ok(seen.every((s) => first.startsWith(s)) && seen[0].length < first.length, JSON.stringify(seen));
  assert.equal(await lastAnswer(page).getByTestId('answer-model').textContent(), 'openai/gpt-5-mini');
  await lastAnswer(page).getByTestId('answer-usage').getByText(/^\d+ tokens \(\d+ in, \d+ out\)$/).waitFor();
  await page.getByTestId('send').waitFor();

  // the second turn carries the system prompt and the whole conversation
  await send(page, 'and once more');
  assert.equal(await answered(page), 'Hello from gpt-5-mini! You said: and once more');
  const last = (await upstreamRequests()).at(-1).body;
  assert.deepEqual(
    last.messages.map((m) => [m.role, typeof m.content === 'string' ? m.content : JSON.stringify(m.content)]),
    [
      ['system', 'You answer in one line.'],
      ['user', 'hello from a guest'],
      ['assistant', first],
      ['user', 'and once more'],
    ],
  );
  assert.equal(last.stream, true);
  assert.equal(await page.getByTestId('turn-user').count(), 2);
  await shot(page, '60-playground-guest');

  // the allowance is read again after the answers, and went down
  await until(async () => Number(await allowance.getAttribute('data-remaining')) < before, 'allowance goes down');

  // Stop cuts the answer short; New chat empties the thread
  const long = 'a long answer please, stopped half way';
  await send(page, long);
  await lastAnswer(page).getByTestId('answer-text').getByText('Hello').waitFor();
  await page.getByTestId('stop').click();
  await lastAnswer(page).getByTestId('answer-stopped').waitFor();
  const cut = await answered(page);
  const whole = `Hello from gpt-5-mini! You said: ${long}`;
  assert.ok(cut.length > 0 && cut.length < whole.length && whole.startsWith(cut), `stopped early: ${cut}`);
  assert.equal(await lastAnswer(page).getByTestId('answer-usage').count(), 0, 'no usage chunk came');
  await page.getByTestId('send').waitFor();
  await page.getByTestId('new-chat').click();
  assert.equal(await page.getByTestId('turn-user').count(), 0);
  assert.deepEqual(page.consoleErrors, []);
});

test('a signed-in person chats on their organization balance; a free model moves the free-model counter', async () => {
  const url = ctx.server.url;
  ctx.server.cli(['admin', 'credit', '--email', ADMIN, '--amount', '10']);
  const page = await newPage(ctx.browser);
  await signInAs(page, url, ADMIN, PASSWORD);
  const balance = async () => Number(await page.getByTestId('balance').getAttribute('data-amount'));
  const start = await balance();
  assert.ok(start >= 10, String(start));
  const counter = page.getByTestId('free-usage');
  assert.equal(await counter.getAttribute('data-used'), '0');

  // the navigation leads to the playground
  await page.getByTestId('nav-playground').click();
  await page.waitForURL(`${url}/playground`);
  await hydrated(page);
  await page.getByTestId('playground-signed-in').getByText('Answers are charged to the balance of').waitFor();
  assert.equal(await page.getByTestId('guest-notice').count(), 0);

  await page.getByLabel('Model').selectOption('anthropic/claude-haiku-4.5');
  await send(page, 'hi from a member');
  assert.equal(await answered(page), 'Hello from claude-haiku-4-5! You said: hi from a member');
  assert.equal(await lastAnswer(page).getByTestId('answer-model').textContent(), 'anthropic/claude-haiku-4.5');
  await lastAnswer(page).getByTestId('answer-usage').waitFor();

  await page.getByLabel('Model').selectOption('z-ai/glm-4.7-flash');
  await send(page, 'and a free one');
  await answered(page);
  assert.equal(await lastAnswer(page).getByTestId('answer-model').textContent(), 'z-ai/glm-4.7-flash');
  await shot(page, '61-playground-signed-in');
  assert.deepEqual(page.consoleErrors, []);

  // the dashboard: the balance went down, one free-model request today
  await until(async () => {
    await page.goto(`${url}/`);
    await hydrated(page);
    return (await balance()) < start && (await counter.getAttribute('data-used')) === '1';
  }, 'balance down and free counter at 1');
  assert.match(await counter.getByTestId('free-usage-words').textContent(), /^1 \/ \d+ requests$/);
  await shot(page, '62-dashboard-free-usage');
  await page.goto(`${url}/models`);
  await hydrated(page);
  assert.equal(await page.getByTestId('free-usage').getAttribute('data-used'), '1');
  assert.deepEqual(page.consoleErrors, []);
});

test('a guest past the daily limit reads the limit message in the page', async () => {
  const url = ctx.tiny.url;
  const page = await newPage(ctx.browser);
  await page.goto(`${url}/playground`);
  await hydrated(page);
  await page.getByLabel('Model').selectOption('openai/gpt-5-mini');
  await send(page, 'will this be refused?');
  await page.getByTestId('playground-error').getByText(GUEST_LIMIT).waitFor();
  assert.equal(await page.getByTestId('turn-user').count(), 0, 'the refused question leaves the thread');
  assert.equal(await page.getByLabel('Message').inputValue(), 'will this be refused?', 'and goes back into the box');
  await shot(page, '63-playground-guest-limit');
  assert.deepEqual(page.consoleErrors, []);
});
