// Every field that the upstream rules files and the regression-test rules use in a condition, an
// output or an exception must resolve in the registry of the rule's source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { corpusOrSkip } from '../helpers/corpus.js';
import { createSyscallSourceDefinition } from '../../src/sources/syscall/definition.js';
import { containerPluginClass, createCloudtrailFieldRegistry, createK8sAuditFieldRegistry, jsonPluginClass } from '../../src/fields/plugins/index.js';
import { FieldBindError, type FieldRegistry } from '../../src/fields/types.js';

/** Names in the corpus that must NOT resolve, and why. */
const EXPECTED_UNKNOWN: Readonly<Record<string, string>> = {
  'proc.nobody': 'deliberately unknown field of the skip-if-unknown-filter regression tests',
};
/** Names the rules loader handles itself, before fields are bound. */
const LOADER_MAGIC: Readonly<Record<string, string>> = {
  'container.info': 'Falco rewrites %container.info in outputs before compiling them',
};

interface FieldUse {
  readonly name: string;
  readonly arg?: string;
  readonly file: string;
  readonly item: string;
  /** Source of the rule, or undefined for macros (usable from any source). */
  readonly source?: string;
  /** Exception fields are checked as written, argument included (Falco's is_valid_lhs_field). */
  readonly asText?: boolean;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry) ? [full] : [];
  });
}

// A field name as libsinsp's grammar has it, with an optional [argument], standing alone (not part
// of a path or a longer word); quoted strings are removed from conditions first.
const FIELD_IN_CONDITION = /(?<![\w./\-:*%$])([a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z][a-zA-Z0-9_]*)+)(?:\[([^\]]*)\])?(?=$|[\s),=<>!])/g;
const FIELD_IN_OUTPUT = /%([a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z][a-zA-Z0-9_]*)+)(?:\[([^\]]*)\])?/g;

function usesIn(text: string, re: RegExp, base: Omit<FieldUse, 'name' | 'arg'>): FieldUse[] {
  const found: FieldUse[] = [];
  for (const m of text.matchAll(re)) found.push({ ...base, name: m[1]!, ...(m[2] !== undefined ? { arg: m[2] } : {}) });
  return found;
}

function collectUses(file: string): { uses: FieldUse[]; plugins: string[] } {
  const uses: FieldUse[] = [];
  const plugins: string[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) continue; // deliberately broken files of the validation tests
    const items: unknown = doc.toJS();
    if (!Array.isArray(items)) continue;
    for (const raw of items) {
      if (raw === null || typeof raw !== 'object') continue;
      const item = raw as Record<string, unknown>;
      for (const p of (item.required_plugin_versions as { name?: string }[] | undefined) ?? []) {
        if (typeof p?.name === 'string') plugins.push(p.name);
      }
      const label = String(item.rule ?? item.macro ?? item.list ?? '?');
      const base = { file, item: label, ...(item.rule !== undefined ? { source: String(item.source ?? 'syscall') } : {}) };
      if (typeof item.condition === 'string') {
        const unquoted = item.condition.replace(/"[^"]*"|'[^']*'/g, '""');
        uses.push(...usesIn(unquoted, FIELD_IN_CONDITION, base));
      }
      if (typeof item.output === 'string') uses.push(...usesIn(item.output, FIELD_IN_OUTPUT, base));
      for (const ex of (item.exceptions as { fields?: unknown }[] | undefined) ?? []) {
        const fields = typeof ex?.fields === 'string' ? [ex.fields] : Array.isArray(ex?.fields) ? ex.fields : [];
        for (const f of fields) if (typeof f === 'string') uses.push(...usesIn(f, FIELD_IN_CONDITION, { ...base, asText: true }));
      }
    }
  }
  return { uses, plugins };
}

test('every field used by the upstream and regression-test rules files resolves', (t) => {
  const corpus = corpusOrSkip(t);
  if (!corpus) return;
  const files = [
    ...readdirSync(path.join(corpus, 'upstream-rules'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(corpus, 'upstream-rules', f)),
    ...yamlFiles(path.join(corpus, 'rules')),
  ];
  const k8sAudit = createK8sAuditFieldRegistry<unknown>();
  const cloudtrail = createCloudtrailFieldRegistry<unknown>();
  const syscallDefault = createSyscallSourceDefinition<unknown>().fields;
  const syscallWithJson = createSyscallSourceDefinition<unknown>({ plugins: [containerPluginClass, jsonPluginClass] }).fields;
  const namespaces = new Set(
    [syscallWithJson, k8sAudit, cloudtrail].flatMap((r) => r.all().map((d) => d.name.split('.')[0]!)),
  );

  const failures: string[] = [];
  const checked = new Set<string>();
  const expectedUnknownSeen = new Set<string>();
  for (const file of files) {
    const { uses, plugins } = collectUses(file);
    const syscall = plugins.includes('json') ? syscallWithJson : syscallDefault;
    const bySource: Record<string, FieldRegistry<unknown>> = { syscall, k8s_audit: k8sAudit, aws_cloudtrail: cloudtrail };
    for (const use of uses) {
      if (!namespaces.has(use.name.split('.')[0]!)) continue; // a bare value such as a host name
      if (LOADER_MAGIC[use.name]) continue;
      const text = use.arg === undefined ? use.name : `${use.name}[${use.arg}]`;
      const registries = use.source === undefined ? Object.values(bySource) : [bySource[use.source]];
      if (registries[0] === undefined) continue; // rule of an unknown source: Falco skips it with a warning
      const errors: string[] = [];
      const resolves = registries.some((reg) => {
        try {
          const bound = use.asText ? reg!.bindText(text) : reg!.bind(use.name, use.arg === undefined ? undefined : { raw: use.arg });
          return bound !== undefined;
        } catch (e) {
          if (!(e instanceof FieldBindError)) throw e;
          errors.push(e.message);
          return false;
        }
      });
      const where = `${path.relative(corpus, use.file)} (${use.item})`;
      if (EXPECTED_UNKNOWN[use.name]) {
        expectedUnknownSeen.add(use.name);
        if (resolves) failures.push(`${text} should be unknown (${EXPECTED_UNKNOWN[use.name]}) in ${where}`);
        continue;
      }
      checked.add(text);
      if (!resolves) failures.push(`${text} does not resolve in ${where}${errors.length ? ': ' + errors[0] : ''}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(checked.size > 150, `only ${checked.size} distinct field uses found: the scan is broken`);
  assert.deepEqual([...expectedUnknownSeen], Object.keys(EXPECTED_UNKNOWN));
  // A few that exercise each argument syntax must be among them.
  for (const f of ['proc.aname[2]', 'evt.arg.flags', 'evt.arg[0]', 'container.mount.dest[/var/run/docker.sock]', 'ka.uri.param[command]', 'jevt.value[/stage]', 'fd.sip.name']) {
    assert.ok(checked.has(f), `${f} not found in the corpus scan`);
  }
});
