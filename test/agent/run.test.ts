// The agent run end to end, through the real command line on real captures of the corpus: Falco's
// log lines, alerts in text and JSON, the exit summary, rule selection, priority, rule_matching,
// append_output (extra text, extra fields, suggested fields), static_fields, --dry-run, -P, -M,
// rules errors, and the upstream rules' results on every capture (Falco 0.44.1's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { corpusOrSkip, corpusPath } from '../helpers/corpus.js';
import { jsonAlerts, replayArgs, runPeregrine, tempDir, testConfig, writeFile } from './helpers.js';

const CAT_WRITE = 'captures/cat_write.scap';

const RULES = `
- macro: is_cat
  condition: proc.name = cat
- rule: open_from_cat
  desc: cat opens a file
  condition: evt.type = open and is_cat
  output: "An open was seen (command=%proc.cmdline file=%fd.name)"
  priority: WARNING
  tags: [filesystem, cat]
- rule: any_open
  desc: any open
  condition: evt.type = open
  output: "open by %proc.name"
  priority: INFO
  tags: [filesystem]
- rule: cat_exec
  desc: cat starts
  condition: evt.type = execve and evt.dir = < and is_cat
  output: "cat started (%proc.cmdline)"
  priority: ERROR
  tags: [process]
`;

function summaryOf(stdout: string): string {
  const at = stdout.indexOf('Events detected:');
  assert.ok(at >= 0, `no summary in ${stdout}`);
  return stdout.slice(at);
}

test('a replay prints Falco\'s log lines, text alerts in event order and the exit summary', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const r = await runPeregrine(['-c', testConfig(dir), '-r', rules, ...replayArgs(corpusPath(CAT_WRITE))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /: Peregrine version: \S+ \(\w+\)\n/);
  assert.match(r.stderr, /: Peregrine initialized with configuration files:\n.*config\.yaml \| schema validation: ok\n/);
  assert.match(r.stderr, new RegExp(`: Loading rules from:\n.*:    ${rules.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\| schema validation: ok\n`));
  assert.match(r.stderr, /: Replaying events from the capture file: .*cat_write\.scap\n/);
  assert.match(r.stderr, /Syscall event drop monitoring:\n {3}- event drop detected: 0 occurrences\n {3}- num times actions taken: 0\n/);
  const alerts = r.stdout.split('\n').filter((l) => / (Warning|Error|Informational) /.test(l));
  // rule_matching first: the cat opens go to open_from_cat (first in load order), not any_open;
  // the suggested container fields are appended (Falco 0.44's default append_output).
  const suggested = ' container_id=host container_name=host container_image_repository= container_image_tag= k8s_pod_name=<NA> k8s_ns_name=<NA>';
  assert.deepEqual(alerts.map((l) => l.replace(/^\S+ /, '')), [
    'Error cat started (cat /dev/null)',
    'Warning An open was seen (command=cat /dev/null file=/etc/ld.so.cache)',
    'Warning An open was seen (command=cat /dev/null file=/lib/x86_64-linux-gnu/libc.so.6)',
    'Warning An open was seen (command=cat /dev/null file=/usr/lib/locale/locale-archive)',
    'Warning An open was seen (command=cat /dev/null file=/dev/null)',
  ].map((a) => a + suggested));
  assert.match(alerts[1]!, /^\d\d:\d\d:\d\d\.\d{9}: Warning An open was seen/);
  assert.equal(summaryOf(r.stdout), [
    'Events detected: 5',
    'Rule counts by severity:',
    '   ERROR: 1',
    '   WARNING: 4',
    'Triggered rules by rule name:',
    '   open_from_cat: 4',
    '   cat_exec: 1',
    '',
  ].join('\n'));
});

test('JSON alerts carry Falco\'s properties: time in ns, hostname from FALCO_HOSTNAME, output_fields, sorted tags', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const r = await runPeregrine(['-c', testConfig(dir, 'json_output: true\nappend_output: [{suggested_output: false}]'), '-r', rules,
    ...replayArgs(corpusPath(CAT_WRITE))], { env: { FALCO_HOSTNAME: 'node-7' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Hostname value has been overridden via environment variable to: node-7/);
  const alerts = jsonAlerts(r.stdout);
  assert.equal(alerts.length, 5);
  const open = alerts.find((a) => a.rule === 'open_from_cat' && (a.output as string).includes('file=/dev/null'))!;
  assert.deepEqual(Object.keys(open), ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  assert.equal(open.hostname, 'node-7');
  assert.equal(open.priority, 'Warning');
  assert.equal(open.source, 'syscall');
  assert.deepEqual(open.tags, ['cat', 'filesystem']);
  assert.match(open.time as string, /^2016-08-04T16:17:57\.\d{9}Z$/);
  const fields = open.output_fields as Record<string, unknown>;
  assert.deepEqual(Object.keys(fields).sort(), ['evt.time', 'fd.name', 'proc.cmdline']);
  assert.equal(fields['proc.cmdline'], 'cat /dev/null');
  assert.equal(typeof fields['evt.time'], 'number');
  assert.match(open.output as string, /^\d\d:\d\d:\d\d\.\d{9}: Warning An open was seen \(command=cat \/dev\/null file=\/dev\/null\)$/);
  // The raw line keeps the exact nanosecond timestamp (beyond 2^53).
  const line = r.stdout.split('\n').find((l) => l.includes('"rule":"open_from_cat"') && l.includes('file=/dev/null'))!;
  const ns = /"evt.time":(\d+)/.exec(line)![1]!;
  assert.equal(ns.length, 19);
  assert.equal((open.time as string).slice(20, 29), ns.slice(10));
});

test('rule_matching: all reports every matching rule of an event', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const r = await runPeregrine(['-c', testConfig(dir, 'rule_matching: all'), '-r', rules, ...replayArgs(corpusPath(CAT_WRITE))]);
  assert.equal(r.code, 0, r.stderr);
  const summary = summaryOf(r.stdout);
  assert.match(summary, /^ {3}open_from_cat: 4$/m);
  // any_open sees the cat opens too, plus the other opens of the capture.
  const anyOpen = Number(/^ {3}any_open: (\d+)$/m.exec(summary)?.[1]);
  assert.ok(anyOpen >= 4, summary);
  assert.match(summary, new RegExp(`^Events detected: ${5 + anyOpen}$`, 'm'));
});

test('rules: selections by name (wildcards) and tag apply in order; priority leaves out less severe rules', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const capture = replayArgs(corpusPath(CAT_WRITE));
  const byTag = await runPeregrine(['-c', testConfig(dir), '-r', rules, ...capture,
    '-o', 'rules[].disable.rule=*', '-o', 'rules[].enable.tag=process']);
  assert.equal(byTag.code, 0, byTag.stderr);
  assert.match(byTag.stderr, /Disabling rules with name: \*\n.*Enabling rules with tag: process\n/);
  assert.match(summaryOf(byTag.stdout), /^Events detected: 1\n[^]* {3}cat_exec: 1\n$/);

  const byName = await runPeregrine(['-c', testConfig(dir), '-r', rules, ...capture, '-o', 'rules[].disable.rule=open_*']);
  const summary = summaryOf(byName.stdout);
  assert.doesNotMatch(summary, /open_from_cat/);
  assert.match(summary, /any_open: \d+/);

  const warningUp = await runPeregrine(['-c', testConfig(dir), '-r', rules, ...capture, '-o', 'priority=warning', '-o', 'rule_matching=all']);
  assert.equal(summaryOf(warningUp.stdout), 'Events detected: 5\nRule counts by severity:\n   ERROR: 1\n   WARNING: 4\n' +
    'Triggered rules by rule name:\n   open_from_cat: 4\n   cat_exec: 1\n');
});

test('append_output: extra text, extra fields (formatted and typed), suggested fields and static fields', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const config = testConfig(dir, [
    'json_output: true',
    'static_fields: {cluster: prod}',
    'append_output:',
    '  - match: {tags: [filesystem]}',
    '    extra_output: "on cpu %evt.cpu"',
    '    extra_fields: [{where: "%fd.directory"}, evt.num]',
    '  - suggested_output: true',
    '  - match: {rule: cat_exec}',
    '    extra_output: "(exec)"',
  ].join('\n'));
  const r = await runPeregrine(['-c', config, '-r', rules, ...replayArgs(corpusPath(CAT_WRITE))]);
  assert.equal(r.code, 0, r.stderr);
  const alerts = jsonAlerts(r.stdout);
  const open = alerts.find((a) => a.rule === 'open_from_cat' && (a.output as string).includes('file=/dev/null'))!;
  // Suggested fields in --list order: static fields come before the container plugin's.
  assert.match(open.output as string,
    / An open was seen \(command=cat \/dev\/null file=\/dev\/null\) on cpu \d+ static_cluster=prod container_id=host container_name=host container_image_repository= container_image_tag= k8s_pod_name=<NA> k8s_ns_name=<NA>$/);
  const fields = open.output_fields as Record<string, unknown>;
  assert.equal(fields.where, '/dev');
  assert.equal(typeof fields['evt.num'], 'number');
  assert.equal(fields['container.id'], 'host');
  assert.equal(fields['static.cluster'], 'prod');
  const exec = alerts.find((a) => a.rule === 'cat_exec')!;
  assert.doesNotMatch(exec.output as string, /on cpu/);
  assert.match(exec.output as string, / static_cluster=prod container_id=host .* k8s_ns_name=<NA> \(exec\)$/);
});

test('--dry-run loads everything and processes nothing', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const pidfile = path.join(dir, 'pid');
  const r = await runPeregrine(['-c', testConfig(dir), '-r', rules, ...replayArgs(corpusPath(CAT_WRITE)), '--dry-run', '-P', pidfile,
    '-o', 'log_level=debug']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Loading rules from:/);
  assert.match(r.stderr, /Skipping event processing in dry-run/);
  assert.doesNotMatch(r.stderr, /Replaying events/);
  assert.equal(existsSync(pidfile), false);
});

test('-P writes the pid file; -M limits a replay to the first seconds of event time, then waits them out', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const pidfile = path.join(dir, 'peregrine.pid');
  const started = Date.now();
  const r = await runPeregrine(['-c', testConfig(dir), '-r', rules, ...replayArgs(corpusPath(CAT_WRITE)), '-P', pidfile, '-M', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(pidfile, 'utf8'), /^\d+$/);
  // Falco honours -M on a capture twice: events later than 1 s after the first one are not
  // processed (cat runs ~1.9 s into cat_write.scap), and it waits the duration once done.
  assert.ok(Date.now() - started >= 1000);
  assert.match(summaryOf(r.stdout), /^Events detected: 0$/m);
});

test('rules with errors end the run with Falco\'s message and exit 1; warnings are logged', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const bad = writeFile(dir, 'bad.yaml', '- rule: broken\n  desc: d\n  condition: evt.type = open and proc.nme = cat\n  output: o\n  priority: INFO\n');
  const r = await runPeregrine(['-c', testConfig(dir), '-r', bad, ...replayArgs(corpusPath(CAT_WRITE))]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: .*bad\.yaml: Invalid\n[^]*LOAD_ERR_COMPILE_CONDITION[^]*nonexistent field proc\.nme/);
  assert.equal(r.stdout, '');

  const warned = writeFile(dir, 'warned.yaml', '- list: unused_list\n  items: [a]\n' + RULES);
  const ok = await runPeregrine(['-c', testConfig(dir), '-r', warned, ...replayArgs(corpusPath(CAT_WRITE))]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /warned\.yaml: Ok, with warnings\n[^]*LOAD_UNUSED_LIST/);
});

test('an unreadable capture is a fatal error naming the file', async (t) => {
  if (!corpusOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', RULES);
  const r = await runPeregrine(['-c', testConfig(dir), '-r', rules, ...replayArgs(path.join(dir, 'missing.scap'))]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error: Could not open trace filename .*missing\.scap for reading: no such file\n/);
});

/** Every capture of the corpus, relative to it. */
function corpusCaptures(): string[] {
  const root = corpusPath('captures');
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.scap')) out.push(path.relative(corpusPath(), file));
    }
  };
  walk(root);
  return out;
}

test('upstream rules give Falco 0.44.1\'s alerts on every capture: none with falco_rules.yaml; with incubating and sandbox, one Unexpected UDP Traffic on test_ipv6_client', async (t) => {
  if (!corpusOrSkip(t)) return;
  const stable = corpusPath('upstream-rules/falco_rules.yaml');
  const all = [stable, corpusPath('upstream-rules/falco-incubating_rules.yaml'), corpusPath('upstream-rules/falco-sandbox_rules.yaml')];
  const captures = corpusCaptures();
  assert.ok(captures.length >= 10, captures.join(', '));
  for (const capture of captures) {
    for (const files of [[stable], all]) {
      const r = await runPeregrine([...files.flatMap((f) => ['-r', f]), ...replayArgs(corpusPath(capture)), '-o', 'json_output=true',
        '-o', 'syslog_output.enabled=false', '-o', 'webserver.enabled=false']);
      assert.equal(r.code, 0, `${capture}: ${r.stderr}`);
      const alerts = jsonAlerts(r.stdout).map((a) => `${a.rule as string} (${a.priority as string})`);
      const expected = files === all && capture === 'captures/libs_e2e/test_ipv6_client.scap' ? ['Unexpected UDP Traffic (Notice)'] : [];
      assert.deepEqual(alerts, expected, `${capture} with ${files.length} rules file(s)`);
    }
  }
});
