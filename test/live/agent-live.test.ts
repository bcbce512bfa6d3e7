// The agent on the live host, as a user runs it: `peregrine -c CONFIG -r RULES` with the default
// engine (modern_ebpf). Real actions raise alerts; a rules change picked up by the file watcher
// makes the driver capture a syscall it did not capture before, without a restart; a rule with
// `capture: true` records a capture file; SIGINT stops cleanly with the summary. Root only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { jsonAlerts, Peregrine, PEREGRINE, tempDir, testConfig, writeFile } from '../agent/helpers.js';
import { liveOrSkip, sleep } from './helpers.js';

const READ_RULE = (dir: string): string => `
- rule: Read of a watched file
  desc: a file of the test directory is opened for reading
  condition: evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.name startswith ${dir}/watched-
  output: "watched file read (proc=%proc.name file=%fd.name user=%user.name pid=%proc.pid)"
  priority: WARNING
  capture: true
  capture_duration: 1000
`;

const MKDIR_RULE = (dir: string): string => `
- rule: Directory made in the watched place
  desc: a directory is created below the test directory
  condition: evt.type in (mkdir, mkdirat) and evt.arg.path startswith ${dir}/made-
  output: "directory made (proc=%proc.name path=%evt.arg.path)"
  priority: NOTICE
`;

/** The child processes of `pid` (none yet: an empty list). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Repeats `action` until an alert of `rule` is on stdout (the driver may still be starting). */
async function until(p: Peregrine, rule: string, action: (i: number) => void): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (let i = 0; ; i++) {
    action(i);
    await sleep(300);
    const found = jsonAlerts(p.stdout).find((a) => a.rule === rule);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no '${rule}' alert\nstderr: ${p.stderr.slice(-3000)}`);
  }
}

test('the agent live: alerts from real actions, rules hot reload reselects syscalls, rule-triggered capture, clean SIGINT (root)', async (t) => {
  if (!liveOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', READ_RULE(dir));
  const captures = path.join(dir, 'captures');
  mkdirSync(captures);
  const config = testConfig(dir, [
    'json_output: true',
    'capture: {enabled: true, mode: rules, path_prefix: ' + path.join(captures, 'match') + '}',
  ].join('\n'));
  let firstRead = '';
  const p = new Peregrine(['-c', config, '-r', rules, '-o', 'watch_config_files=true'], { timeoutMs: 120_000 });
  try {
    await p.waitFor((_, err) => err.includes("Opening 'syscall' source with modern BPF probe."), 'the live source');

    const read = await until(p, 'Read of a watched file', (i) => {
      const file = path.join(dir, `watched-${i}.txt`);
      writeFileSync(file, 'x');
      execFileSync('/bin/cat', [file]);
    });
    const fields = read.output_fields as Record<string, unknown>;
    assert.equal(fields['proc.name'], 'cat');
    assert.match(String(fields['fd.name']), new RegExp(`^${dir}/watched-\\d+\\.txt$`));
    assert.equal(fields['user.name'], 'root');
    assert.equal(read.priority, 'Warning');
    assert.equal(read.source, 'syscall');
    firstRead = String(fields['fd.name']);

    // mkdir is not captured yet (no rule needs it); the new rule makes the driver capture it.
    writeFileSync(rules, READ_RULE(dir) + MKDIR_RULE(dir));
    await p.waitFor((_, err) => /Reloaded: 2 rules enabled/.test(err), 'the reload');
    const made = await until(p, 'Directory made in the watched place', (i) => mkdirSync(path.join(dir, `made-${i}`)));
    assert.equal((made.output_fields as Record<string, unknown>)['proc.name'], 'node');
    assert.match(String((made.output_fields as Record<string, unknown>)['evt.arg.path']), new RegExp(`^${dir}/made-\\d+$`));
  } finally {
    p.kill('SIGINT');
  }
  const result = await p.exited;
  assert.equal(result.code, 0, result.stderr.slice(-3000));
  assert.match(result.stderr, /SIGINT received, exiting/);
  assert.match(result.stdout, /Events detected: \d+/);
  assert.match(result.stdout, /Read of a watched file: \d+/);
  assert.match(result.stdout, /Directory made in the watched place: \d+/);

  // The first read started a recording: a gzip scap file named as Falco names them, with that read in it.
  const files = readdirSync(captures);
  assert.ok(files.length >= 1, 'a capture file was written');
  assert.match(files[0]!, /^match_\d{20}_\d{20}\.scap$/);
  const file = path.join(captures, files.sort()[0]!);
  assert.deepEqual([...readFileSync(file).subarray(0, 2)], [0x1f, 0x8b]);
  const events = execFileSync(process.execPath, [PEREGRINE, 'inspect', file, '-p', '%evt.type %proc.name %fd.name',
    `fd.name startswith ${dir}/watched-`], { encoding: 'utf8' });
  assert.ok(events.split('\n').includes(`openat cat ${firstRead}`), events);
});

test('the agent live: a driver that dies ends the run with one clear error, exit 1 (root)', async (t) => {
  if (!liveOrSkip(t)) return;
  const dir = tempDir(t);
  const rules = writeFile(dir, 'rules.yaml', READ_RULE(dir));
  const p = new Peregrine(['-c', testConfig(dir), '-r', rules], { timeoutMs: 60_000 });
  await p.waitFor((_, err) => err.includes("Opening 'syscall' source with modern BPF probe."), 'the live source');
  let driverPid: number | undefined;
  for (let i = 0; i < 100 && driverPid === undefined; i++) {
    await sleep(100);
    driverPid = childrenOf(p.pid).find((c) => readFileSync(`/proc/${c}/comm`, 'utf8').trim().startsWith('peregrine-drive'));
  }
  assert.ok(driverPid !== undefined, 'the driver process runs under the agent');
  await sleep(500); // the source is open and reading
  process.kill(driverPid, 'SIGKILL');
  const result = await p.exited;
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`Error: The eBPF driver \\(pid ${driverPid}\\) exited unexpectedly on signal SIGKILL`));
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});
