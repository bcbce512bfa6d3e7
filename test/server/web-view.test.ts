// The web view: the alert ring keeps the latest alerts in order with their sequence numbers, and
// the real agent, replaying a corpus capture with `webserver.web_view_enabled`, serves the page
// (with its strict Content-Security-Policy), its script, and the JSON endpoints with the alerts
// and counters of the run. Off by default: the same run without the key serves no page.
import assert from 'node:assert/strict';
import { Script } from 'node:vm';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Priority } from '../../src/engine/priority.js';
import type { Alert } from '../../src/outputs/alert.js';
import { AlertFeed } from '../../src/server/web-view.js';
import { freePort, Peregrine, replayArgs, tempDir, testConfig, writeFile } from '../agent/helpers.js';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';

function alert(n: number): Alert {
  return {
    time: 1_700_000_000_000_000_000n + BigInt(n), rule: `rule ${n}`, priority: Priority.Warning, source: 'syscall',
    tags: ['t'], output: `output <b>${n}</b>`, outputFields: {}, internal: false,
  };
}

test('the alert feed keeps the latest alerts, oldest first, after any sequence number', () => {
  const feed = new AlertFeed(3);
  assert.deepEqual(feed.since(0), []);
  for (let i = 1; i <= 5; i++) feed.push(alert(i));
  assert.equal(feed.lastSeq, 5);
  assert.deepEqual(feed.since(0).map((a) => a.seq), [3, 4, 5], 'only the capacity is kept');
  assert.deepEqual(feed.since(4).map((a) => a.rule), ['rule 5']);
  assert.deepEqual(feed.since(5), []);
  const [a] = feed.since(4);
  assert.equal(a!.time, '2023-11-14T22:13:20.000000005Z');
  assert.equal(a!.priority, 'Warning');
  assert.equal(a!.output, 'output <b>5</b>', 'text is kept as is; the page sets it as text');
});

const RULES = `
- rule: Open by cat
  desc: cat opens a file
  condition: evt.type in (open, openat) and evt.dir = < and proc.name = cat
  output: "open by %proc.name of %fd.name"
  priority: WARNING
  tags: [filesystem]
`;

async function started(p: Peregrine, port: number): Promise<string> {
  await p.waitFor((_out, err) => err.includes(`listening on 127.0.0.1:${port}`), 'the web server');
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${base}/healthz`).then(() => true, () => false)) return base;
    await sleep(20);
  }
  throw new Error('no answer from the web server');
}

test('the agent serves the web view of its alerts and counters', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const port = await freePort();
  const web = ['enabled=true', 'listen_address=127.0.0.1', `listen_port=${port}`, 'web_view_enabled=true'].flatMap((o) => ['-o', `webserver.${o}`]);
  // -M keeps the agent up after the capture is consumed, as Falco does with a capture.
  const p = new Peregrine(['-c', testConfig(dir), '-r', rules, ...web, ...replayArgs(corpusPath('captures/cat_write.scap')), '-M', '30'],
    { timeoutMs: 60_000 });
  try {
    const base = await started(p, port);
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    const html = await page.text();
    assert.match(html, /<script src="\/web-view\.js" defer><\/script>/);
    assert.doesNotMatch(html, /<script>/, 'no inline script (the policy forbids it)');
    const script = await fetch(`${base}/web-view.js`);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    const code = await script.text();
    assert.doesNotMatch(code, /innerHTML/, 'alert text is never parsed as HTML');
    assert.doesNotThrow(() => new Script(code, { filename: 'web-view.js' }), 'the page script parses');

    // The capture is replayed right away; its alerts reach the feed.
    let feed: { last: number; alerts: { seq: number; rule: string; priority: string; output: string; tags: string[] }[] } = { last: 0, alerts: [] };
    for (let i = 0; i < 100 && feed.last < 1; i++) {
      feed = await (await fetch(`${base}/api/alerts?since=0`)).json() as typeof feed;
      if (feed.last < 1) await sleep(50);
    }
    assert.ok(feed.last >= 1, 'alerts in the feed');
    assert.equal(feed.alerts.length, feed.last);
    assert.deepEqual(feed.alerts.map((a) => a.seq), feed.alerts.map((_, i) => i + 1));
    const first = feed.alerts[0]!;
    assert.equal(first.rule, 'Open by cat');
    assert.equal(first.priority, 'Warning');
    assert.deepEqual(first.tags, ['filesystem']);
    assert.match(first.output, /^open by cat of \//);
    const later = await (await fetch(`${base}/api/alerts?since=${feed.last}`)).json() as typeof feed;
    assert.deepEqual(later.alerts, []);
    const bad = await fetch(`${base}/api/alerts?since=-1`);
    assert.equal(bad.status, 400);

    const summary = await (await fetch(`${base}/api/summary`)).json() as {
      sources: { source: string; events: number }[]; rules: { rule: string; matches: number }[]; byPriority: Record<string, number>; alerts: number;
    };
    assert.equal(summary.alerts, feed.last);
    assert.deepEqual(summary.rules.map((r) => [r.rule, r.matches]), [['Open by cat', feed.last]]);
    assert.deepEqual(summary.byPriority, { Warning: feed.last });
    assert.ok(summary.sources.find((s) => s.source === 'syscall')!.events > 0);
  } finally {
    p.kill('SIGINT');
  }
  const result = await p.exited;
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  assert.match(result.stdout, /Open by cat: \d+/);
});

test('without web_view_enabled the web server has no page', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const port = await freePort();
  const web = ['enabled=true', 'listen_address=127.0.0.1', `listen_port=${port}`].flatMap((o) => ['-o', `webserver.${o}`]);
  const p = new Peregrine(['-c', testConfig(dir), '-r', rules, ...web, ...replayArgs(corpusPath('captures/cat_write.scap')), '-M', '30'],
    { timeoutMs: 60_000 });
  try {
    const base = await started(p, port);
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/api/alerts`)).status, 404);
  } finally {
    p.kill('SIGINT');
  }
  assert.equal((await p.exited).code, 0);
});
