// The official Node `openai` SDK against a real gateai whose providers all point at the
// upstream double. Run by scripts/clients.sh (GATEAI_URL, GATEAI_KEY, GATEAI_KEY_BROKE,
// DOUBLE_URL). Both upstream protocols: deepseek (OpenAI upstream, pass-through) and
// claude-haiku (Anthropic upstream, translated). Every HTTP answer goes through a recording
// fetch: it must carry x-request-id, and a 2xx chat answer x-gateai-model.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import OpenAI, { APIError, AuthenticationError, NotFoundError, InternalServerError } from 'openai';

const { GATEAI_URL, GATEAI_KEY, GATEAI_KEY_BROKE, DOUBLE_URL } = process.env;
const MODELS = ['deepseek/deepseek-v3.2', 'anthropic/claude-haiku-4.5'];
const UPSTREAM_PATH = { 'deepseek/deepseek-v3.2': '/v1/chat/completions', 'anthropic/claude-haiku-4.5': '/v1/messages' };
const ARGS = { city: 'Zürich', unit: 'celsius' };
const TOOL_MARKER = `[[tool:get_weather ${JSON.stringify(ARGS)}]]`;
const TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] },
  },
};

let seen = [];
beforeEach(() => { seen = []; });
afterEach(() => {
  assert.ok(seen.length > 0, 'the test made no request');
  for (const r of seen) {
    assert.ok(r.headers.get('x-request-id'), `${r.status} answer without x-request-id`);
    if (r.status < 300 && r.url.endsWith('/chat/completions')) {
      assert.ok(r.headers.get('x-gateai-model'), `${r.status} chat answer without x-gateai-model`);
    }
  }
});
const recordingFetch = async (url, init) => {
  const r = await fetch(url, init);
  seen.push(r);
  return r;
};
const client = (apiKey = GATEAI_KEY) => new OpenAI({ baseURL: `${GATEAI_URL}/openai/v1`, apiKey, maxRetries: 0, fetch: recordingFetch });
const nonce = () => randomUUID().slice(0, 10);

async function doubleRequests(needle) {
  const all = await (await fetch(`${DOUBLE_URL}/_double/requests`)).json();
  return all.filter((r) => r.method === 'POST' && JSON.stringify(r.body).includes(needle));
}

for (const model of MODELS) {
  test(`chat, non-stream: ${model}`, async () => {
    const n = nonce();
    const { data: c, response } = await client()
      .chat.completions.create({ model, messages: [{ role: 'user', content: `hello ${n}` }] })
      .withResponse();
    assert.equal(response.headers.get('x-gateai-model'), model);
    assert.ok(response.headers.get('x-request-id'));
    assert.equal(c.model, model);
    assert.match(c.choices[0].message.content, new RegExp(`You said: hello ${n}`));
    assert.equal(c.choices[0].finish_reason, 'stop');
    assert.ok(c.usage.prompt_tokens > 0 && c.usage.completion_tokens > 0);
    const [up] = await doubleRequests(n);
    assert.equal(up.path, UPSTREAM_PATH[model]);
  });

  test(`chat, stream: ${model}`, async () => {
    const n = nonce();
    const { data: stream, response } = await client()
      .chat.completions.create({
        model, messages: [{ role: 'user', content: `hello ${n}` }], stream: true, stream_options: { include_usage: true },
      })
      .withResponse();
    assert.equal(response.headers.get('x-gateai-model'), model);
    let text = '';
    let usage = null;
    let finish = null;
    let chunks = 0;
    for await (const ch of stream) {
      chunks++;
      assert.equal(ch.model, model);
      if (ch.choices[0]?.delta?.content) text += ch.choices[0].delta.content;
      if (ch.choices[0]?.finish_reason) finish = ch.choices[0].finish_reason;
      if (ch.usage) usage = ch.usage;
    }
    assert.ok(chunks >= 3);
    assert.match(text, new RegExp(`You said: hello ${n}`));
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0);
  });

  test(`tool call and its result: ${model}`, async () => {
    const n = nonce();
    const oai = client();
    const messages = [{ role: 'user', content: `weather please ${n} ${TOOL_MARKER}` }];
    const c = await oai.chat.completions.create({ model, messages, tools: [TOOL] });
    assert.equal(c.choices[0].finish_reason, 'tool_calls');
    const [call] = c.choices[0].message.tool_calls;
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), ARGS);
    messages.push(c.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '18 degrees, sunny' });
    const answer = await oai.chat.completions.create({ model, messages, tools: [TOOL] });
    assert.equal(answer.choices[0].message.content, 'Tool result received: 18 degrees, sunny');
    assert.equal((await doubleRequests(n)).length, 2);
  });

  test(`tool call, streamed (SDK stream helper): ${model}`, async () => {
    const n = nonce();
    const runner = client().chat.completions.stream({
      model, messages: [{ role: 'user', content: `weather please ${n} ${TOOL_MARKER}` }], tools: [TOOL],
    });
    const final = await runner.finalChatCompletion();
    assert.equal(final.model, model);
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
    const [call] = final.choices[0].message.tool_calls;
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), ARGS);
  });
}

test('models list has the catalog ids', async () => {
  const ids = [];
  for await (const m of client().models.list()) ids.push(m.id);
  for (const m of MODELS) assert.ok(ids.includes(m), `${m} missing from ${ids}`);
});

test('errors raise the SDK classes', async () => {
  const msg = [{ role: 'user', content: 'hi' }];
  await assert.rejects(client('sk-or-v1-' + '0'.repeat(64)).chat.completions.create({ model: MODELS[0], messages: msg }), (e) => {
    assert.ok(e instanceof AuthenticationError);
    assert.equal(e.status, 401);
    assert.equal(e.error.message, 'invalid api key');
    return true;
  });
  await assert.rejects(client().chat.completions.create({ model: 'acme/no-such-model', messages: msg }), (e) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.status, 404);
    assert.equal(e.error.message, 'no model config found for: acme/no-such-model');
    return true;
  });
  // no 402 class in the SDK: the base APIError with status 402
  await assert.rejects(client(GATEAI_KEY_BROKE).chat.completions.create({ model: MODELS[1], messages: msg }), (e) => {
    assert.equal(e.constructor, APIError);
    assert.equal(e.status, 402);
    assert.match(e.error.message, /^Pending payment \S+ USD — Please top up\.\.\.$/);
    return true;
  });
  for (const model of MODELS) {
    await assert.rejects(client().chat.completions.create({ model, messages: [{ role: 'user', content: 'hi [[error:503]]' }] }), (e) => {
      assert.ok(e instanceof InternalServerError);
      assert.equal(e.status, 502);
      assert.equal(e.error.message, 'upstream service unavailable');
      return true;
    });
  }
});

test('a stream cut by the upstream raises in the SDK', async () => {
  for (const model of MODELS) {
    const stream = await client().chat.completions.create({ model, messages: [{ role: 'user', content: 'hi [[cut:3]]' }], stream: true });
    let chunks = 0;
    await assert.rejects(
      (async () => { for await (const _ of stream) chunks++; })(),
      (e) => {
        assert.ok(e instanceof APIError);
        assert.equal(e.status, undefined);
        assert.match(e.message, /upstream connection lost/);
        return true;
      },
    );
    assert.ok(chunks > 0, 'the chunks before the cut reached the client');
  }
});
