// Generates the scap data tables (src/scap/tables/*.ts) from a falcosecurity/libs checkout or bare
// mirror: event codes, names, categories, flags and parameters; flag/enum name tables; dynamic
// parameter types; ppm_sc syscall names; the x86_64 syscall numbers and syscall → event mapping;
// errno and signal names. Only facts (names and numbers) are extracted; the output format is ours.
//
//   node dist/src/scap/gen/generate-tables.js [LIBS_GIT_DIR] [TAG]
//
// Defaults: /work/.mirror/falcosecurity+libs/repo at tag 0.25.4 (the libs of Falco 0.44.1).
// Re-run after bumping the libs version and review the diff of src/scap/tables/.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConstantResolver, asExpr, asList, asString, collectDefines, collectEnums, findAllArrays,
  findArrayInitializer, stripComments,
} from './c-source.js';

const libsDir = process.argv[2] ?? '/work/.mirror/falcosecurity+libs/repo';
const tag = process.argv[3] ?? '0.25.4';
const here = path.dirname(fileURLToPath(import.meta.url));
// dist/src/scap/gen → src/scap/tables
const outDir = path.resolve(here, '..', '..', '..', '..', 'src', 'scap', 'tables');

function readLibsFile(file: string): string {
  return stripComments(execFileSync('git', ['-C', libsDir, 'show', `${tag}:${file}`], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

const header = readLibsFile('driver/ppm_events_public.h');
// In the table sources, conditional lines only guard entries for other builds (kernel, 32-bit,
// other architectures): userspace libscap compiles every entry, so the directives are dropped
// (syscall entries are filtered by the x86_64 numbers below instead).
const dropDirectives = (src: string): string => src.replace(/^\s*#\s*(if|ifdef|ifndef|else|elif|endif|pragma)\b.*$/gm, '');
const eventTableSrc = dropDirectives(readLibsFile('driver/event_table.c'));
const flagsSrc = dropDirectives(readLibsFile('driver/flags_table.c'));
const dynSrc = dropDirectives(readLibsFile('driver/dynamic_params_table.c'));
const syscallTableSrc = dropDirectives(readLibsFile('driver/syscall_table.c'));
const compatX86Src = readLibsFile('driver/syscall_compat_x86_64.h');
const errnoHeader = readLibsFile('userspace/libsinsp/sinsp_errno.h');
const signalHeader = readLibsFile('userspace/libsinsp/sinsp_signal.h');
const utilsSrc = readLibsFile('userspace/libsinsp/utils.cpp');
const conversionSrc = readLibsFile('userspace/libscap/engine/savefile/converter/table.cpp');

const constants = new ConstantResolver(collectDefines(header));
const enums = collectEnums(header, constants);

const num = (v: bigint): number => Number(v);
const hex = (v: number): string => '0x' + v.toString(16);

/** Enum members with a given prefix, in declaration order, prefix removed. */
function enumGroup(prefix: string): [string, number][] {
  return [...enums].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), num(v)]);
}

// ---- event codes ----------------------------------------------------------------------------
const eventCodes = enumGroup('PPME_').filter(([k]) => k !== 'DIRECTION_FLAG');
const eventMax = num(constants.value('PPM_EVENT_MAX'));
const codeByEnumName = new Map(eventCodes.map(([k, v]) => ['PPME_' + k, v]));

// ---- flag tables and dynamic parameter tables ------------------------------------------------
const flagTables = new Map<string, [string, number][]>();
for (const [name, init] of findAllArrays(flagsSrc, 'ppm_name_value')) {
  const rows: [string, number][] = [];
  for (const entry of asList(init)) {
    const [nameV, valueV] = asList(entry.value).map((e) => e.value);
    if (nameV.kind !== 'string') break; // {0, 0} terminator
    rows.push([nameV.value, num(BigInt.asUintN(32, constants.evaluate(asExpr(valueV))))]);
  }
  flagTables.set(name, rows);
}

const dynTables = new Map<string, [number, number][]>();
for (const [name, init] of findAllArrays(dynSrc, 'ppm_param_info')) {
  const rows: [number, number][] = [];
  for (const entry of asList(init)) {
    const idx = entry.index === undefined ? rows.length : num(constants.evaluate(entry.index));
    const fields = asList(entry.value).map((e) => e.value);
    rows[idx] = [num(constants.evaluate(asExpr(fields[1]))), num(constants.evaluate(asExpr(fields[2])))];
  }
  dynTables.set(name, rows);
}

// ---- event table ------------------------------------------------------------------------------
interface ParamRow { name: string; type: string; format: string; info?: string | number }
interface EventRow { code: number; enumName: string; name: string; category: string; flags: string; params: ParamRow[] }

/** Writes `EC_A | EC_B` as `EC.A | EC.B` (symbolic, so the generated table stays readable). */
function symbolic(expr: string, prefix: string): string {
  const parts = expr.split('|').map((p) => p.trim().replace(/^\((.*)\)$/, '$1').trim());
  return parts.map((p) => {
    if (!p.startsWith(prefix + '_')) {
      const v = constants.evaluate(p);
      return String(num(v));
    }
    constants.value(p); // must exist
    return `${prefix}.${p.slice(prefix.length + 1)}`;
  }).join(' | ');
}

const eventRows: EventRow[] = [];
for (const entry of asList(findArrayInitializer(eventTableSrc, 'g_event_info'))) {
  if (entry.index === undefined) throw new Error('event table entry without designator');
  const code = codeByEnumName.get(entry.index);
  if (code === undefined) throw new Error(`unknown event code ${entry.index}`);
  const fields = asList(entry.value).map((e) => e.value);
  const nparams = fields[3] ? num(constants.evaluate(asExpr(fields[3]))) : 0;
  const params: ParamRow[] = [];
  if (fields[4]) {
    for (const p of asList(fields[4])) {
      const pf = asList(p.value).map((e) => e.value);
      const row: ParamRow = { name: asString(pf[0]), type: asExpr(pf[1]), format: asExpr(pf[2]) };
      if (pf[3]) {
        const info = asExpr(pf[3]);
        const dirfd = /^DIRFD_PARAM\((\d+)\)$/.exec(info);
        if (dirfd) row.info = Number(dirfd[1]);
        else if (flagTables.has(info) || dynTables.has(info)) row.info = info;
        else if (info !== '0' && info !== 'NULL') throw new Error(`unknown param info ${info}`);
      }
      params.push(row);
    }
  }
  if (params.length !== nparams) throw new Error(`${entry.index}: nparams ${nparams} but ${params.length} params`);
  eventRows.push({
    code,
    enumName: entry.index,
    name: asString(fields[0]),
    category: symbolic(asExpr(fields[1]), 'EC'),
    flags: symbolic(asExpr(fields[2]), 'EF'),
    params,
  });
}
eventRows.sort((a, b) => a.code - b.code);
if (eventRows.length !== eventMax || eventRows.some((r, i) => r.code !== i)) {
  throw new Error(`event table has ${eventRows.length} rows, expected codes 0..${eventMax - 1}`);
}

// ---- syscalls -----------------------------------------------------------------------------------
const ppmScMatches = [...header.matchAll(/PPM_SC_X\(\s*([A-Z0-9_]+)\s*,\s*(\d+)\s*\)/g)];
const ppmScMax = Math.max(...ppmScMatches.map((m) => Number(m[2]))) + 1;
const ppmScNames: string[] = new Array<string>(ppmScMax).fill('');
for (const m of ppmScMatches) {
  ppmScNames[Number(m[2])] = m[1].toLowerCase();
  constants.define('PPM_SC_' + m[1], BigInt(m[2]));
}

const x86Numbers = new Map<string, number>();
for (const [k, v] of collectDefines(compatX86Src)) {
  if (k.startsWith('__NR_')) x86Numbers.set(k.slice(5), Number(v));
}

interface SyscallRow { nr: number; name: string; ppmSc: number; enter: number; exit: number; flags: string }
const syscallRows: SyscallRow[] = [];
const ufNames = enumGroup('UF_');
for (const entry of asList(findArrayInitializer(syscallTableSrc, 'g_syscall_table'))) {
  const m = /^__NR_(\w+)\s*-\s*SYSCALL_TABLE_ID0$/.exec(entry.index ?? '');
  if (!m) throw new Error(`unexpected syscall table index ${entry.index}`);
  const nr = x86Numbers.get(m[1]);
  if (nr === undefined) continue; // not an x86_64 syscall (guarded by #ifdef in the C table)
  const items = asList(entry.value);
  let flags = '0';
  let enter = codeByEnumName.get('PPME_GENERIC_E')!;
  let exit = codeByEnumName.get('PPME_GENERIC_X')!;
  let ppmSc: number;
  if (items.length === 1 && items[0].field === 'ppm_sc') {
    ppmSc = num(constants.value(asExpr(items[0].value)));
  } else {
    const [f, e, x, sc] = items.map((i) => asExpr(i.value));
    flags = symbolic(f, 'UF');
    enter = codeByEnumName.get(e)!;
    exit = codeByEnumName.get(x)!;
    ppmSc = num(constants.value(sc));
    if (enter === undefined || exit === undefined) throw new Error(`bad syscall table row for ${m[1]}`);
  }
  syscallRows.push({ nr, name: m[1], ppmSc, enter, exit, flags });
}
syscallRows.sort((a, b) => a.nr - b.nr);

// ---- errno and signal names -------------------------------------------------------------------------
function switchNames(fnName: string, numbers: Map<string, string>): [number, string][] {
  const start = utilsSrc.indexOf(fnName);
  const body = utilsSrc.slice(start, utilsSrc.indexOf('\n}', start));
  const rows: [number, string][] = [];
  for (const m of body.matchAll(/case\s+([A-Z0-9_]+)\s*:\s*return\s+"([^"]+)"/g)) {
    const v = numbers.get(m[1]);
    if (v === undefined) throw new Error(`unknown constant ${m[1]} in ${fnName}`);
    rows.push([Number(v), m[2]]);
  }
  return rows;
}
const errnoNames = switchNames('sinsp_utils::errno_to_str', collectDefines(errnoHeader));
const signalNames = switchNames('sinsp_utils::signal_to_str', collectDefines(signalHeader));

// ---- scap converter table (libscap savefile converter: old event layouts → current ones) ------------
const ACTION_NAMES: Record<string, string> = {
  C_ACTION_PASS: 'pass', C_ACTION_STORE: 'store', C_ACTION_STORE_AND_PASS: 'store-and-pass',
  C_ACTION_ADD_PARAMS: 'add-params', C_ACTION_CHANGE_TYPE: 'change-type',
};
const INSTR_NAMES: Record<string, string> = {
  C_INSTR_FROM_OLD: 'old', C_INSTR_FROM_ENTER: 'enter', C_INSTR_FROM_DEFAULT: 'default',
  C_INSTR_FROM_EMPTY: 'empty', C_INSTR_FROM_CALLBACK: 'callback',
};
interface ConversionRow { code: number; nparams: number; action: string; desired?: number; instrs: string[] }
const conversionRows: ConversionRow[] = [];
{
  const start = conversionSrc.indexOf('g_conversion_table');
  for (const m of conversionSrc.slice(start).matchAll(/\{\s*conversion_key\s*\{/g)) {
    // The entry runs from this brace to its matching one.
    const from = start + m.index;
    let depth = 0;
    let to = from;
    for (; to < conversionSrc.length; to++) {
      if (conversionSrc[to] === '{') depth++;
      else if (conversionSrc[to] === '}' && --depth === 0) break;
    }
    const entry = conversionSrc.slice(from, to + 1);
    const key = /conversion_key\s*\{\s*(\w+)\s*,\s*(\d+)\s*\}/.exec(entry)!;
    const action = /\.action\(\s*(\w+)\s*\)/.exec(entry)![1];
    const desired = /\.desired_type\(\s*(\w+)\s*\)/.exec(entry)?.[1];
    const code = codeByEnumName.get(key[1]);
    if (code === undefined || ACTION_NAMES[action] === undefined) throw new Error(`bad conversion entry ${entry}`);
    const instrs: string[] = [];
    for (const im of entry.matchAll(/\{\s*(C_INSTR_\w+)\s*,\s*(\d+)\s*(?:,\s*(\w+)\s*)?(?:,\s*(\w+)\s*)?\}/g)) {
      const instr = INSTR_NAMES[im[1]];
      if (instr === undefined) throw new Error(`unknown instruction ${im[1]}`);
      const flags = im[3] === 'CIF_FALLBACK_TO_EMPTY' ? ', true' : im[3] === undefined || im[3] === 'CIF_NO_FLAGS' ? '' : (() => { throw new Error(`unknown flag ${im[3]}`); })();
      // Callbacks are named by what they compute (the converter implements them).
      const CALLBACKS: Record<string, string> = { extract_ppme_container_json_e_json_param: 'container-json' };
      if (im[4] !== undefined && CALLBACKS[im[4]] === undefined) throw new Error(`unknown conversion callback ${im[4]}`);
      const callback = im[4] !== undefined ? `, ${quote(CALLBACKS[im[4]])}` : '';
      instrs.push(`[${quote(instr)}, ${im[2]}${flags || (callback ? ', false' : '')}${callback}]`);
    }
    conversionRows.push({ code, nparams: Number(key[2]), action: ACTION_NAMES[action], desired: desired === undefined ? undefined : codeByEnumName.get(desired), instrs });
  }
}

// ---- output -------------------------------------------------------------------------------------------
const banner = (what: string): string =>
  `// GENERATED by src/scap/gen/generate-tables.ts from falcosecurity/libs ${tag} (${what}).\n` +
  `// Facts only (names and numbers); do not edit by hand: re-run the generator.\n`;

function constObject(name: string, doc: string, rows: [string, number][], asHex = false): string {
  const body = rows.map(([k, v]) => `  ${/^[A-Za-z_]\w*$/.test(k) ? k : quote(k)}: ${asHex ? hex(v) : v},`).join('\n');
  return `/** ${doc} */\nexport const ${name} = {\n${body}\n} as const;\n`;
}

/** `OBJ.KEY`, or `OBJ['KEY']` for keys that are not identifiers (PF_10_PADDED_DEC). */
function member(obj: string, key: string): string {
  return /^[A-Za-z_]\w*$/.test(key) ? `${obj}.${key}` : `${obj}[${quote(key)}]`;
}

function quote(s: string): string {
  return JSON.stringify(s).replace(/'/g, "\\'").replace(/^"|"$/g, "'");
}

{
  let out = banner('driver/ppm_events_public.h, driver/event_table.c') + '\n';
  out += constObject('EC', 'Event category bits (ppm_event_category).', enumGroup('EC_'));
  out += '\n' + constObject('EF', 'Event flag bits (ppm_event_flags).', enumGroup('EF_'), true);
  out += '\n' + constObject('PT', 'Parameter types (ppm_param_type).', enumGroup('PT_'));
  out += '\n' + constObject('PF', 'Parameter print formats (ppm_print_format).', enumGroup('PF_'));
  out += '\n' + constObject('EVENT_CODE', 'Event codes (ppm_event_code), `PPME_` prefix removed. Even = enter, odd = exit.', eventCodes);
  out += '\n/** Number of event codes (PPM_EVENT_MAX). */\n';
  out += `export const EVENT_CODE_COUNT = ${eventMax};\n`;
  out += '\n/** A parameter: name, type, print format, and for flags/enum/mode and PT_DYN parameters the name of\n';
  out += ' *  their table in flags.ts, for PT_FSRELPATH the index of the parameter holding the dirfd. */\n';
  out += 'export type ParamRow = readonly [name: string, type: number, format: number, info?: string | number];\n';
  out += '/** An event: name, category bits, flag bits, parameters. Row i describes event code i. */\n';
  out += 'export type EventRow = readonly [name: string, category: number, flags: number, params: readonly ParamRow[]];\n\n';
  out += 'export const EVENT_ROWS: readonly EventRow[] = [\n';
  for (const r of eventRows) {
    const params = r.params.map((p) => {
      const parts = [quote(p.name), member('PT', p.type.replace(/^PT_/, '')), member('PF', p.format.replace(/^PF_/, ''))];
      if (p.info !== undefined) parts.push(typeof p.info === 'number' ? String(p.info) : quote(p.info));
      return `[${parts.join(', ')}]`;
    });
    const paramText = params.length === 0 ? '[]' : `[\n    ${params.join(',\n    ')},\n  ]`;
    out += `  /* ${r.code} ${r.enumName.replace(/^PPME_/, '')} */ [${quote(r.name)}, ${r.category}, ${r.flags}, ${paramText}],\n`;
  }
  out += '];\n';
  writeFileSync(path.join(outDir, 'events.ts'), out);
}

{
  let out = banner('driver/flags_table.c, driver/dynamic_params_table.c') + '\n';
  out += '/** Name/value tables of flag, enum and mode parameters, in table order (rendering depends on it). */\n';
  out += 'export const FLAG_TABLES: Readonly<Record<string, readonly (readonly [name: string, value: number])[]>> = {\n';
  for (const [name, rows] of flagTables) {
    out += `  ${name}: [\n${rows.map(([n, v]) => `    [${quote(n)}, ${hex(v)}],`).join('\n')}\n  ],\n`;
  }
  out += '};\n\n';
  out += '/** PT_DYN parameters: the first byte selects the entry, giving the type and print format of the rest. */\n';
  out += 'export const DYNAMIC_PARAM_TABLES: Readonly<Record<string, readonly (readonly [type: number, format: number])[]>> = {\n';
  for (const [name, rows] of dynTables) {
    out += `  ${name}: [${rows.map(([t, f]) => `[${t}, ${f}]`).join(', ')}],\n`;
  }
  out += '};\n';
  writeFileSync(path.join(outDir, 'flags.ts'), out);
}

{
  let out = banner('driver/ppm_events_public.h PPM_SC_FIELDS, driver/syscall_table.c, driver/syscall_compat_x86_64.h') + '\n';
  out += '/** ppm_sc syscall codes → names (as libscap prints them); empty string for unused codes. */\n';
  out += `export const PPM_SC_NAMES: readonly string[] = [\n`;
  for (let i = 0; i < ppmScNames.length; i += 8) {
    out += '  ' + ppmScNames.slice(i, i + 8).map((n) => quote(n)).join(', ') + ',\n';
  }
  out += '];\n\n';
  out += constObject('UF', 'Syscall table flags (syscall_flags).', ufNames, true);
  out += '\n/** x86_64 syscalls known to the driver: native number, name, ppm_sc code, enter and exit event codes\n';
  out += ' *  (PPME_GENERIC_E/X when the syscall has no dedicated event), UF_* flags. */\n';
  out += 'export const SYSCALLS_X86_64: readonly (readonly [nr: number, name: string, ppmSc: number, enter: number, exit: number, flags: number])[] = [\n';
  for (const r of syscallRows) {
    out += `  [${r.nr}, ${quote(r.name)}, ${r.ppmSc}, ${r.enter}, ${r.exit}, ${r.flags.replace(/UF\./g, 'UF.')}],\n`;
  }
  out += '];\n';
  writeFileSync(path.join(outDir, 'syscalls.ts'), out);
}

{
  let out = banner('userspace/libsinsp/sinsp_errno.h, sinsp_signal.h, utils.cpp') + '\n';
  out += '/** Errno values libsinsp names when it renders a negative result (`-2(ENOENT)`). */\n';
  out += 'export const ERRNO_NAMES: readonly (readonly [errno: number, name: string])[] = [\n';
  out += errnoNames.map(([v, n]) => `  [${v}, ${quote(n)}],`).join('\n') + '\n];\n\n';
  out += '/** Signal numbers libsinsp names (PT_SIGTYPE, PT_SIGSET). */\n';
  out += 'export const SIGNAL_NAMES: readonly (readonly [signal: number, name: string])[] = [\n';
  out += signalNames.map(([v, n]) => `  [${v}, ${quote(n)}],`).join('\n') + '\n];\n';
  writeFileSync(path.join(outDir, 'errno.ts'), out);
}

{
  let out = banner('userspace/libscap/engine/savefile/converter/table.cpp') + '\n';
  out += '/** How one instruction fills the next parameter: from the old event, from the stored enter event, a\n';
  out += ' *  default value, an empty parameter, or a named callback; `fallbackEmpty` when the source is missing. */\n';
  out += "export type ConversionInstr = readonly [source: 'old' | 'enter' | 'default' | 'empty' | 'callback', param: number, fallbackEmpty?: boolean, callback?: string];\n";
  out += "export type ConversionAction = 'pass' | 'store' | 'store-and-pass' | 'add-params' | 'change-type';\n";
  out += '/** (event code, parameter count) → action, target event code for change-type, instructions. */\n';
  out += 'export type ConversionRow = readonly [code: number, nparams: number, action: ConversionAction, desiredCode: number | undefined, instrs: readonly ConversionInstr[]];\n\n';
  out += 'export const CONVERSION_ROWS: readonly ConversionRow[] = [\n';
  for (const r of conversionRows) {
    out += `  [${r.code}, ${r.nparams}, ${quote(r.action)}, ${r.desired ?? 'undefined'}, [${r.instrs.join(', ')}]], // ${eventRows[r.code].enumName.replace(/^PPME_/, '')}\n`;
  }
  out += '];\n';
  writeFileSync(path.join(outDir, 'conversions.ts'), out);
}

console.log(`conversions: ${conversionRows.length}`);
console.log(`events: ${eventRows.length}, flag tables: ${flagTables.size}, dynamic tables: ${dynTables.size}, ` +
  `ppm_sc: ${ppmScNames.length}, x86_64 syscalls: ${syscallRows.length}/${x86Numbers.size}, ` +
  `errno names: ${errnoNames.length}, signal names: ${signalNames.length}`);
