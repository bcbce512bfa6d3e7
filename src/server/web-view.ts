// The web view (`webserver.web_view_enabled`, Peregrine's own key, off by default): a page at `/`
// of the web server showing the latest alerts and what the agent is doing (events and drops per
// source, matches per rule and priority, the outputs queue), refreshed every two seconds from two
// JSON endpoints that scripts can use as well:
//   GET /api/alerts?since=SEQ   alerts after sequence number SEQ (oldest first, at most `capacity`)
//   GET /api/summary            counters of the run
// Alerts carry attacker-controlled text (file names, command lines): the page only ever sets them
// as text, and a strict Content-Security-Policy forbids inline scripts and other origins.
import type { FastifyInstance } from 'fastify';
import { priorityName } from '../engine/priority.js';
import type { Alert } from '../outputs/alert.js';
import { formatJsonTime } from '../outputs/format.js';
import type { PeregrineMetrics } from './metrics.js';

/** An alert as the web view's API gives it. */
export interface WebViewAlert {
  readonly seq: number;
  readonly time: string;
  readonly priority: string;
  readonly rule: string;
  readonly source: string;
  readonly tags: readonly string[];
  readonly output: string;
}

/** The latest alerts, in a fixed-size ring: pushing costs no allocation beyond the slot. */
export class AlertFeed {
  private readonly ring: (Alert | undefined)[];
  /** Sequence number of the last alert pushed (0: none yet). */
  private last = 0;

  constructor(readonly capacity = 500) {
    this.ring = new Array<Alert | undefined>(capacity);
  }

  push(alert: Alert): void {
    this.last++;
    this.ring[this.last % this.capacity] = alert;
  }

  get lastSeq(): number {
    return this.last;
  }

  /** Alerts after `seq` still held, oldest first. */
  since(seq: number): WebViewAlert[] {
    const first = Math.max(seq + 1, this.last - this.capacity + 1, 1);
    const out: WebViewAlert[] = [];
    for (let s = first; s <= this.last; s++) {
      const a = this.ring[s % this.capacity]!;
      out.push({
        seq: s, time: formatJsonTime(a.time), priority: priorityName(a.priority), rule: a.rule, source: a.source,
        tags: a.tags, output: a.output,
      });
    }
    return out;
  }
}

/** The counters of the run the page shows (GET /api/summary). */
export function webViewSummary(metrics: PeregrineMetrics, feed: AlertFeed): Record<string, unknown> {
  const rules: { rule: string; priority: string; source: string; matches: number }[] = [];
  const byPriority: Record<string, number> = {};
  const { rules: infos, matches } = metrics.rules;
  for (let i = 0; i < infos.length; i++) {
    const n = matches[i] ?? 0;
    if (n === 0) continue;
    const info = infos[i]!;
    const priority = priorityName(info.priority);
    rules.push({ rule: info.name, priority, source: info.source, matches: n });
    byPriority[priority] = (byPriority[priority] ?? 0) + n;
  }
  rules.sort((a, b) => b.matches - a.matches || a.rule.localeCompare(b.rule));
  const outputs = metrics.outputs;
  return {
    hostname: metrics.hostname,
    version: metrics.version,
    startTime: formatJsonTime(metrics.startNs),
    reloadTime: formatJsonTime(metrics.reloadNs),
    sources: metrics.sourceNames().map((name) => {
      const c = metrics.source(name);
      return { source: name, engine: metrics.engineOf(name) ?? null, events: c.events, drops: { ...c.drops } };
    }),
    alerts: feed.lastSeq,
    byPriority,
    rules,
    outputs: outputs ? { queued: outputs.queue.size, drops: { ...outputs.stats.drops } } : null,
  };
}

/** Registers the page, its script and style, and the JSON endpoints on the web server. */
export function webViewRoutes(metrics: PeregrineMetrics, feed: AlertFeed): (app: FastifyInstance) => void {
  return (app) => {
    app.addHook('onSend', async (request, reply) => {
      if (request.url === '/' || request.url.startsWith('/web-view.') || request.url.startsWith('/api/')) {
        reply.header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'");
        reply.header('X-Content-Type-Options', 'nosniff');
        reply.header('Cache-Control', 'no-store');
      }
    });
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
    app.get('/web-view.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));
    app.get('/web-view.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(STYLE));
    app.get<{ Querystring: { since?: string } }>('/api/alerts', async (request, reply) => {
      const since = Number(request.query.since ?? 0);
      if (!Number.isInteger(since) || since < 0) {
        return reply.code(400).send({ error: `since must be a non-negative integer, not ${JSON.stringify(request.query.since)}` });
      }
      return { last: feed.lastSeq, alerts: feed.since(since) };
    });
    app.get('/api/summary', async () => webViewSummary(metrics, feed));
  };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Peregrine</title>
<link rel="stylesheet" href="/web-view.css">
<script src="/web-view.js" defer></script>
</head>
<body>
<header><h1>Peregrine</h1><span id="host"></span><span id="status">connecting…</span></header>
<main>
<section id="counters">
<h2>Sources</h2><table id="sources"><thead><tr><th>source</th><th>engine</th><th>events</th><th>dropped</th></tr></thead><tbody></tbody></table>
<h2>Alerts by priority</h2><table id="priorities"><tbody></tbody></table>
<h2>Rules that matched</h2><table id="rules"><thead><tr><th>rule</th><th>priority</th><th>matches</th></tr></thead><tbody></tbody></table>
<p id="outputs"></p>
</section>
<section id="feed">
<h2>Latest alerts <input id="filter" type="search" placeholder="filter (rule, text, priority)"></h2>
<table id="alerts"><thead><tr><th>time</th><th>priority</th><th>rule</th><th>output</th></tr></thead><tbody></tbody></table>
</section>
</main>
</body>
</html>
`;

const STYLE = `body { font-family: system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { display: flex; gap: 1.5em; align-items: baseline; padding: .6em 1.2em; background: #1d2330; color: #fff; }
header h1 { font-size: 1.2em; margin: 0; }
#status { margin-left: auto; font-size: .9em; opacity: .8; }
main { display: grid; grid-template-columns: minmax(18em, 1fr) 3fr; gap: 1.2em; padding: 1em 1.2em; }
h2 { font-size: 1em; margin: 1em 0 .4em; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9em; }
th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid #e3e6ea; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
#alerts td:nth-child(1) { white-space: nowrap; font-variant-numeric: tabular-nums; }
#alerts td:nth-child(4) { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
tr.p-Emergency, tr.p-Alert, tr.p-Critical { background: #fde2e1; }
tr.p-Error { background: #fdeedc; }
tr.p-Warning { background: #fdf7d9; }
#filter { margin-left: 1em; font-size: .9em; }
`;

const SCRIPT = `'use strict';
// Polls the agent every two seconds; every value is set with textContent (alerts are untrusted text).
const MAX_ROWS = 500;
let lastSeq = 0;
const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = String(text); if (cls) td.className = cls; return td; };
const row = (cells, cls) => { const tr = document.createElement('tr'); for (const c of cells) tr.append(c); if (cls) tr.className = cls; return tr; };
const fill = (id, rows) => document.querySelector('#' + id + ' tbody').replaceChildren(...rows);
const filterText = () => document.getElementById('filter').value.trim().toLowerCase();
const applyFilter = (tr) => { const f = filterText(); tr.hidden = f !== '' && !tr.textContent.toLowerCase().includes(f); };

async function refresh() {
  try {
    const [summary, feed] = await Promise.all([
      fetch('/api/summary').then((r) => r.json()),
      fetch('/api/alerts?since=' + lastSeq).then((r) => r.json()),
    ]);
    document.getElementById('host').textContent = summary.hostname + ' · Peregrine ' + summary.version;
    fill('sources', summary.sources.map((s) => row([cell(s.source), cell(s.engine ?? ''), cell(s.events, 'num'),
      cell(Object.values(s.drops).reduce((a, b) => a + b, 0), 'num')])));
    fill('priorities', Object.entries(summary.byPriority).map(([p, n]) => row([cell(p), cell(n, 'num')], 'p-' + p)));
    fill('rules', summary.rules.map((r) => row([cell(r.rule), cell(r.priority), cell(r.matches, 'num')])));
    const drops = summary.outputs ? Object.values(summary.outputs.drops).reduce((a, b) => a + b, 0) : 0;
    document.getElementById('outputs').textContent = summary.outputs
      ? 'Outputs queue: ' + summary.outputs.queued + ' waiting, ' + drops + ' dropped' : '';
    const body = document.querySelector('#alerts tbody');
    for (const a of feed.alerts) {
      const tr = row([cell(a.time), cell(a.priority), cell(a.rule), cell(a.output)], 'p-' + a.priority);
      applyFilter(tr);
      body.prepend(tr);
    }
    while (body.rows.length > MAX_ROWS) body.lastElementChild.remove();
    lastSeq = feed.last;
    document.getElementById('status').textContent = 'updated ' + new Date().toLocaleTimeString() + ' · ' + feed.last + ' alerts';
  } catch (err) {
    document.getElementById('status').textContent = 'agent unreachable (' + err.message + ')';
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('filter').addEventListener('input', () => {
    for (const tr of document.querySelectorAll('#alerts tbody tr')) applyFilter(tr);
  });
  refresh();
  setInterval(refresh, 2000);
});
`;
