// The video playground (`/playground/video`) in Chromium against a real server whose ModelArk
// provider points at the upstream double (which serves a real, playable H.264 MP4 for each
// finished task): a signed-in person sees the estimate (and the balance after it) change with
// the form, submits, watches the job move to completed, the `<video>` loads and plays
// (readyState ≥ 2), the download button saves the MP4, the history shows the job with its
// cost and the balance went down; a refused field shows the server's words next to it and
// sends nothing; a guest makes a video within the daily allowance and reads the guest-limit
// message for a job dearer than what is left. Every page hydrates without a console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { startServer, startUpstreamDouble, launchBrowser, newPage, hydrated, shot, signIn } from '../harness.mjs';

const ADMIN = 'video@example.com';
const PASSWORD = 'correct horse battery';
const UPSTREAM_KEY = 'sk-upstream-test';
const GUEST_LIMIT = 'Guest daily spending limit exceeded. Please try again tomorrow or upgrade to a paid plan.';
const MODEL = 'bytedance/seedance-2.0';

const ctx = {};
before(async () => {
  ctx.double = await startUpstreamDouble(['--video-polls', '3']);
  ctx.server = await startServer({
    GATEAI_ADMIN_EMAIL: ADMIN,
    GATEAI_ADMIN_PASSWORD: PASSWORD,
    ARK_API_KEY: UPSTREAM_KEY,
    ARK_BASE_URL: `${ctx.double.url}/api/v3`,
    GATEAI_VIDEO_POLL_MS: '300',
    GATEAI_VIDEO_MAX_POLL_MS: '600',
    // a guest may spend $2 a day (one default video is $0.8316), any number at one address
    GATEAI_GUEST_DAILY_USD: '2',
    GATEAI_GUEST_DAILY_USD_PER_IP: '0',
  });
  ctx.server.cli(['admin', 'credit', '--guest-pool', '--amount', '20']);
  ctx.server.cli(['admin', 'credit', '--email', ADMIN, '--amount', '10']);
  ctx.browser = await launchBrowser();
});
after(async () => {
  await ctx.browser?.close();
  await ctx.server?.stop();
  await ctx.double?.stop();
});

const amount = async (locator) => Number(await locator.getAttribute('data-amount'));

/** Waits for the job panel to show a job in `status`, returns its id. */
async function jobIn(page, status, timeout = 60_000) {
  const job = page.locator(`[data-testid=video-job][data-status=${status}]`);
  await job.waitFor({ timeout });
  return job.getAttribute('data-job');
}

test('a signed-in person sees the estimate, makes a video, watches it play and downloads it', async () => {
  const url = ctx.server.url;
  const page = await newPage(ctx.browser);
  await signIn(page, url, ADMIN, PASSWORD);
  const startBalance = await amount(page.getByTestId('balance'));
  assert.ok(startBalance >= 10, String(startBalance));

  // the navigation leads to the video playground
  await page.getByTestId('nav-video').click();
  await page.waitForURL(`${url}/playground/video`);
  await hydrated(page);
  await page.getByTestId('playground-signed-in').getByText('Videos are charged to the balance of').waitFor();
  assert.equal(await page.getByLabel('Model').inputValue(), MODEL);
  const options = await page.getByLabel('Model').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, [MODEL], 'video models only');

  // the estimate is there before anything is sent, and follows the form
  const cost = page.getByTestId('estimate-cost');
  await cost.waitFor();
  assert.equal(await cost.getAttribute('data-amount'), '0.8316000000', 'the default job: 108 000 tokens at $7.7/M');
  assert.equal(await page.getByTestId('estimate-tokens').textContent(), '108,000 video tokens = 1280 × 720 × 120 frames / 1024');
  const wallet = page.getByTestId('video-wallet');
  await wallet.waitFor();
  assert.equal(Number(await wallet.getAttribute('data-now')), startBalance);
  assert.equal(await amount(page.getByTestId('wallet-after')), Number((startBalance - 0.8316).toFixed(10)));
  await page.getByLabel('Duration (seconds)').fill('6');
  await page.getByLabel('Resolution').selectOption('480p');
  await page.getByLabel('Aspect ratio').selectOption('9:16');
  // 480 × 864 × 144 / 1024 = 58 320 tokens × $7.7/M
  await page.locator('[data-testid=estimate-cost][data-amount="0.4490640000"]').waitFor();
  await page.getByLabel('Seed').fill('42');
  await page.getByLabel('Generate audio').uncheck();
  await page.getByLabel(/Metadata/).fill('{"source": "browser-test"}');
  await page.getByLabel('Prompt').fill('A paper boat drifting down a rainy street, close-up');
  await shot(page, '70-video-playground-form');

  await page.getByTestId('video-submit').click();
  // the answer to the submit is the job, accepted and not started yet: progress shows
  const id = await jobIn(page, 'pending', 10_000);
  assert.match(id, /^video_[0-9a-f]{32}$/);
  await page.getByTestId('video-progress').waitFor();
  await shot(page, '71-video-playground-progress');
  assert.equal(await jobIn(page, 'completed'), id);

  // the video plays in the page
  const player = page.getByTestId('video-player');
  await player.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=video-player]').readyState >= 2, null, { timeout: 30_000 });
  const played = await player.evaluate(async (v) => {
    v.muted = true;
    await v.play();
    await new Promise((r) => setTimeout(r, 400));
    return { readyState: v.readyState, time: v.currentTime, width: v.videoWidth, error: v.error && v.error.message };
  });
  assert.ok(played.readyState >= 2 && played.width > 0 && played.time > 0 && !played.error, JSON.stringify(played));
  await shot(page, '72-video-playground-done');

  // the download button saves the MP4 under the job's name
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('video-download').click()]);
  assert.equal(download.suggestedFilename(), `${id}.mp4`);
  const saved = await download.path();
  assert.ok(statSync(saved).size > 1000, 'the whole file');

  // the history shows the job with its settled cost; the job panel shows the same
  const row = page.locator(`[data-testid=history-row][data-job=${id}]`);
  await row.and(page.locator('[data-status=completed]')).waitFor();
  const billed = await amount(page.getByTestId('job-billed'));
  assert.ok(billed > 0.44 && billed < 0.46, `settled on the double's tokens: ${billed}`);
  assert.equal(await amount(row.getByTestId('history-cost').locator('[data-amount]')), billed);
  assert.equal(await row.getByTestId('history-cost').getAttribute('data-billing'), 'settled');
  assert.match(await row.textContent(), /Playground/);
  assert.match(await row.textContent(), /480×864 · 9:16 · 6 s/);

  // the balance went down by what was billed
  await page.locator(`[data-testid=video-wallet][data-now="${(startBalance - billed).toFixed(10)}"]`).waitFor();
  await page.goto(`${url}/`);
  await hydrated(page);
  assert.equal(await amount(page.getByTestId('balance')), Number((startBalance - billed).toFixed(10)));
  assert.deepEqual(page.consoleErrors, []);
});

test('a refused field shows the server\'s words next to it and nothing is sent', async () => {
  const url = ctx.server.url;
  const page = await newPage(ctx.browser);
  await signIn(page, url, ADMIN, PASSWORD);
  await page.goto(`${url}/playground/video`);
  await hydrated(page);
  await page.locator('[data-testid=history-row], [data-testid=history-empty]').first().waitFor();
  const jobsBefore = await page.getByTestId('history-row').count();
  const requests = [];
  page.on('request', (r) => r.method() === 'POST' && r.url().includes('/playground/videos') && requests.push(r.url()));

  await page.getByLabel('Prompt').fill('a kite');
  await page.getByLabel('Duration (seconds)').fill('20');
  await page.getByTestId('estimate-none').waitFor();
  await page.getByTestId('video-submit').click();
  const error = page.locator('[data-testid=field-error][data-field=duration]');
  await error.waitFor();
  assert.equal(await error.textContent(), 'duration must be a whole number of seconds from 4 to 15');
  assert.equal(await page.getByLabel('Duration (seconds)').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Duration (seconds)').fill('5');
  await error.waitFor({ state: 'detached' });

  await page.getByLabel(/Metadata/).fill('{not json');
  await page.getByTestId('video-submit').click();
  await page.locator('[data-testid=field-error][data-field=metadata]').getByText('metadata must be a JSON object').waitFor();
  await page.getByLabel(/Metadata/).fill('');
  await page.getByLabel(/Exact size/).fill('1000x1000');
  await page.getByTestId('video-submit').click();
  await page.locator('[data-testid=field-error][data-field=size]').getByText(/^size 1000x1000 is not an output size of this model/).waitFor();
  await shot(page, '73-video-playground-invalid');
  assert.deepEqual(requests, [], 'nothing was sent');
  assert.equal(await page.getByTestId('history-row').count(), jobsBefore);
  assert.deepEqual(page.consoleErrors, []);
});

test('a guest makes a video within the allowance and is refused one dearer than what is left', async () => {
  const url = ctx.server.url;
  const page = await newPage(ctx.browser);
  const resp = await page.goto(`${url}/playground/video`);
  assert.equal(resp.status(), 200, 'guests are not sent to sign in');
  await hydrated(page);
  await page.getByTestId('guest-notice').waitFor();
  await page.getByTestId('history-empty').waitFor();
  const wallet = page.getByTestId('video-wallet');
  await wallet.getByText('Left today').waitFor();
  assert.equal(Number(await wallet.getAttribute('data-now')), 2);

  await page.getByLabel('Prompt').fill('A hot-air balloon over a valley at sunrise');
  await page.getByTestId('video-submit').click();
  const id = await jobIn(page, 'completed');
  await page.waitForFunction(() => document.querySelector('[data-testid=video-player]')?.readyState >= 2, null, { timeout: 30_000 });
  await page.locator(`[data-testid=history-row][data-job=${id}]`).waitFor();
  assert.equal(await page.getByTestId('history-row').count(), 1, 'a guest sees its own jobs only');
  await page.locator('[data-testid=video-wallet]:not([data-now="2.0000000000"])').waitFor();
  const left = Number(await wallet.getAttribute('data-now'));
  assert.ok(left > 1.1 && left < 1.2, `what is left: ${left}`);

  // 1080p, 15 s: $5.6133 is more than what is left today
  await page.getByLabel('Resolution').selectOption('1080p');
  await page.getByLabel('Duration (seconds)').fill('15');
  await page.locator('[data-testid=estimate-cost][data-amount="5.6133000000"]').waitFor();
  await wallet.getByText('not enough').waitFor();
  await page.getByTestId('video-submit').click();
  await page.getByTestId('video-error').getByText(GUEST_LIMIT).waitFor();
  await shot(page, '74-video-playground-guest-limit');
  assert.equal(await page.getByTestId('history-row').count(), 1, 'nothing was queued');
  assert.deepEqual(page.consoleErrors, []);

  // and the chat playground links here
  await page.goto(`${url}/playground`);
  await hydrated(page);
  await page.getByTestId('to-video-playground').click();
  await page.waitForURL(`${url}/playground/video`);
  assert.deepEqual(page.consoleErrors, []);
});
