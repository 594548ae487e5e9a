// The Claude Code CLI (`claude -p`, npm @anthropic-ai/claude-code) against a real gateai whose
// providers all point at the upstream double. Run by scripts/clients.sh (GATEAI_URL,
// GATEAI_KEY, DOUBLE_URL). The prompt carries a `[[tool:…]]` marker, so the double answers
// with a tool call; Claude Code must run the tool in its working folder, send the
// tool_result back through the gateway, and print the double's answer to it
// ("Tool result received: …"). Through an Anthropic-protocol model (pass-through) and an
// OpenAI-protocol model (the gateway translates both ways).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';

const { GATEAI_URL, GATEAI_KEY, DOUBLE_URL } = process.env;
const require = createRequire(import.meta.url);

/** The native binary: the platform package's, else the wrapper's bin (a copy of it after postinstall). */
function claudeBinary() {
  const libc = process.report?.getReport?.().header?.glibcVersionRuntime ? '' : '-musl';
  const platform = `${process.platform}-${process.arch}${process.platform === 'linux' ? libc : ''}`;
  try {
    const dir = dirname(require.resolve(`@anthropic-ai/claude-code-${platform}/package.json`));
    if (existsSync(join(dir, 'claude'))) return join(dir, 'claude');
  } catch {}
  return join(dirname(require.resolve('@anthropic-ai/claude-code/package.json')), 'bin', 'claude.exe');
}
const CLAUDE = claudeBinary();

/** Runs `claude -p prompt` in a fresh working folder and HOME; resolves {code, stdout, stderr, cwd}. */
function claude(model, prompt, extraArgs, cwd = mkdtempSync(join(tmpdir(), 'gateai-cc-work-'))) {
  const home = mkdtempSync(join(tmpdir(), 'gateai-cc-home-'));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    TMPDIR: process.env.TMPDIR || '/tmp',
    ANTHROPIC_BASE_URL: `${GATEAI_URL}/anthropic`,
    ANTHROPIC_API_KEY: GATEAI_KEY,
    ANTHROPIC_MODEL: model,
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  return new Promise((resolve, reject) => {
    const p = spawn(CLAUDE, ['-p', prompt, ...extraArgs], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 90_000);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, cwd });
    });
  });
}

async function doubleRequests(needle) {
  const all = await (await fetch(`${DOUBLE_URL}/_double/requests`)).json();
  return all.filter((r) => r.method === 'POST' && /^\/v1\/(chat\/completions|messages)$/.test(r.path.split('?')[0]) && JSON.stringify(r.body).includes(needle));
}

/** The last request's tool round trip, in the upstream's own protocol: [tool name, call id, result text]. */
function toolRoundTrip(req) {
  const msgs = req.body.messages;
  if (req.path.startsWith('/v1/messages')) {
    const result = msgs.at(-1).content.find((b) => b.type === 'tool_result');
    const use = msgs.at(-2).content.find((b) => b.type === 'tool_use');
    assert.equal(result.tool_use_id, use.id, 'tool_result answers the tool_use');
    const text = typeof result.content === 'string' ? result.content : result.content.map((b) => b.text ?? '').join('');
    return [use.name, use.id, text];
  }
  const tool = msgs.at(-1);
  assert.equal(tool.role, 'tool');
  const call = msgs.at(-2).tool_calls[0];
  assert.equal(tool.tool_call_id, call.id, 'tool message answers the tool call');
  const text = typeof tool.content === 'string' ? tool.content : tool.content.map((b) => b.text ?? '').join('');
  return [call.function.name, call.id, text];
}

const CASES = [
  { model: 'anthropic/claude-sonnet-4.6', upstream: '/v1/messages' },
  { model: 'deepseek/deepseek-v3.2', upstream: '/v1/chat/completions' },
];

for (const { model, upstream } of CASES) {
  test(`claude -p runs Bash through ${model}`, async () => {
    const n = randomUUID().slice(0, 8);
    const word = `gateai-ok-${n}`;
    const cmd = JSON.stringify({ command: `echo ${word} | tee out.txt` });
    const r = await claude(model, `Save the word to out.txt. [[tool:Bash ${cmd}]]`, ['--allowedTools', 'Bash']);
    try {
      assert.equal(r.code, 0, `claude exited ${r.code} ${r.signal ?? ''}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.equal(readFileSync(join(r.cwd, 'out.txt'), 'utf8'), `${word}\n`, 'the Bash tool ran');
      assert.match(r.stdout, new RegExp(`Tool result received: ${word}`), `final answer printed:\n${r.stdout}`);
      const reqs = await doubleRequests(n);
      assert.equal(reqs.length, 2, `one call for the tool, one with its result: ${reqs.map((q) => q.path)}`);
      for (const q of reqs) {
        assert.equal(q.path, upstream);
        assert.equal(q.body.stream, true);
        assert.ok(q.body.tools.length > 1, 'Claude Code declares its tools');
      }
      const [name, , result] = toolRoundTrip(reqs[1]);
      assert.equal(name, 'Bash');
      assert.match(result, new RegExp(word));
    } finally {
      rmSync(r.cwd, { recursive: true, force: true });
    }
  });

  test(`claude -p runs Write through ${model}`, async () => {
    const n = randomUUID().slice(0, 8);
    const cwd = mkdtempSync(join(tmpdir(), 'gateai-cc-work-'));
    const target = join(cwd, 'note.txt');
    const input = JSON.stringify({ file_path: target, content: `written through Gate.AI ${n}\n` });
    try {
      const r = await claude(model, `Write the note. [[tool:Write ${input}]]`, ['--allowedTools', 'Write'], cwd);
      const reqs = await doubleRequests(n);
      const why = `\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nlast request: ${JSON.stringify(reqs.at(-1)?.body.messages.at(-1))}`;
      assert.equal(r.code, 0, `claude exited ${r.code}${why}`);
      assert.ok(existsSync(target), `the Write tool did not run${why}`);
      assert.equal(readFileSync(target, 'utf8'), `written through Gate.AI ${n}\n`);
      assert.match(r.stdout, /Tool result received: /);
      assert.equal(reqs.length, 2);
      const [name, , result] = toolRoundTrip(reqs[1]);
      assert.equal(name, 'Write');
      assert.match(result, /note\.txt/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
}
