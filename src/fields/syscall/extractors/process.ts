// Extractors of the process and thread fields (proc.*, thread.*), with libsinsp's semantics:
// values come from the event's thread, "process" values from its main thread where libsinsp
// says so, parents and ancestors through the thread table.
//
// Ancestor fields without an index (proc.aname, proc.apid...) match in conditions when ANY
// ancestor matches: their value is the list of ancestor values (parent first), and outputs show
// them joined by spaces, as Falco prints them.
import type { FieldArg, FieldDef, JsonFieldValue } from '../../types.js';
import type { SyscallEvent } from '../../../state/syscall-event.js';
import type { ThreadInfo } from '../../../state/threads.js';
import { capabilitiesToString } from '../../../state/threads.js';
import { memoSanitizer, sanitizeString } from '../../../state/paths.js';
import { EVENT_CODE } from '../../../scap/event-table.js';
import { value, withJson, type Extractor } from './common.js';

const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;

/** libsinsp hides ids outside [-1, 2^32-1] (sources that cannot map host pids). */
const xid = (v: number): number | undefined => (v >= -1 && v <= UINT32_MAX ? v : undefined);

type ThreadFn<T> = (t: ThreadInfo, e: SyscallEvent) => T | undefined;

/** A value of the event's thread; no value when the event has no thread. */
function ofThread<T extends import('../../types.js').FieldValue>(fn: ThreadFn<T>): Extractor {
  return value((e) => (e.thread === undefined ? undefined : fn(e.thread, e)));
}

function str(fn: (t: ThreadInfo, e: SyscallEvent) => string | undefined): Extractor {
  const sanitize = memoSanitizer();
  return ofThread((t, e) => {
    const s = fn(t, e);
    return s === undefined ? undefined : sanitize(s);
  });
}

/** The values of a thread's ancestors, parent first (libsinsp traverse_parent_state). */
function ancestorValues<T>(e: SyscallEvent, t: ThreadInfo, get: (p: ThreadInfo) => T): T[] | undefined {
  const main = t.mainThread();
  if (main === undefined) return undefined;
  const out: T[] = [];
  e.state.threads.forEachAncestor(main, (p) => {
    out.push(get(p));
    return true;
  });
  return out;
}

/**
 * An ancestor field: `[N]` is the Nth ancestor process (0 = the process itself); without an
 * index, every ancestor (any-match in conditions, space-joined in outputs).
 */
function ancestor(arg: FieldArg | undefined, get: (p: ThreadInfo) => string): Extractor {
  const n = arg?.index;
  if (n !== undefined) {
    return str((t, e) => {
      const a = e.state.threads.ancestorProcess(t, n < 0 ? 0 : n);
      return a === undefined ? undefined : get(a);
    });
  }
  const joined = (e: SyscallEvent): string | undefined => {
    const t = e.thread;
    if (t === undefined) return undefined;
    const all = ancestorValues(e, t, get);
    if (all === undefined) return undefined;
    const s = all.join(' ');
    return s === '' ? undefined : sanitizeString(s);
  };
  return {
    extract: (e) => {
      const t = e.thread;
      if (t === undefined) return undefined;
      return ancestorValues(e, t, (p) => sanitizeString(get(p)));
    },
    toText: joined,
    toJson: (e): JsonFieldValue | undefined => joined(e),
  };
}

/** Name of the process (or exe, exepath) leading a session or process group (oldest match). */
function leaderField(idOf: (t: ThreadInfo) => number, isVirtual: boolean, get: (t: ThreadInfo) => string): Extractor {
  return str((t, e) => {
    const leader = e.state.threads.oldestMatchingAncestor(t, idOf, isVirtual);
    return leader === undefined ? '' : get(leader);
  });
}

function cmdline(t: ThreadInfo): string {
  return t.commandLine();
}

function stdFd(fd: number, what: 'type' | 'name'): Extractor {
  return ofThread((t) => {
    const info = t.fdTable()?.find(fd);
    if (info === undefined) return undefined;
    return what === 'type' ? info.typeName : sanitizeString(info.name);
  });
}

/** thread.exectime / thread.totexectime state: last switch time per CPU, per binding. */
function execTime(total: boolean): Extractor {
  const lastSwitch: bigint[] = [];
  const totals = new WeakMap<ThreadInfo, bigint>();
  const delta = (e: SyscallEvent): bigint => {
    if (e.evt.type !== EVENT_CODE.SCHEDSWITCH_6_E) return 0n;
    const cpu = e.evt.cpu;
    const ts = e.evt.tsBig;
    const last = lastSwitch[cpu] ?? 0n;
    lastSwitch[cpu] = ts;
    return last === 0n ? 0n : BigInt.asUintN(64, ts - last);
  };
  if (!total) return value(delta);
  return value((e) => {
    const d = delta(e);
    const t = e.thread;
    if (t === undefined) return undefined;
    const sum = (totals.get(t) ?? 0n) + d;
    totals.set(t, sum);
    return sum;
  });
}

/** thread.cpu*: CPU used since the previous procinfo event of the thread, capped at 100 (per binding). */
function threadCpu(user: boolean, system: boolean): Extractor {
  const last = new WeakMap<ThreadInfo, number>();
  return ofThread((t, e) => {
    if (e.evt.type !== EVENT_CODE.PROCINFO_E) return undefined;
    const total = (user ? e.evt.uint(0) ?? 0 : 0) + (system ? e.evt.uint(1) ?? 0 : 0);
    const previous = last.get(t) ?? 0;
    last.set(t, total);
    if (previous === 0) return 0;
    return Math.min(total - previous, 100);
  });
}

export function processExtractors(): Record<string, (def: FieldDef, arg: FieldArg | undefined) => Extractor> {
  const threads = (e: SyscallEvent) => e.state.threads;
  const parent = (t: ThreadInfo, e: SyscallEvent) => threads(e).ancestorProcess(t);
  return {
    'proc.exe': () => str((t) => t.exe),
    'proc.pexe': () => str((t, e) => parent(t, e)?.exe),
    'proc.aexe': (_d, arg) => ancestor(arg, (p) => p.exe),
    'proc.exepath': () => str((t) => t.exepath),
    'proc.pexepath': () => str((t, e) => parent(t, e)?.exepath),
    'proc.aexepath': (_d, arg) => ancestor(arg, (p) => p.exepath),
    'proc.name': () => str((t) => t.comm),
    'proc.pname': () => str((t, e) => parent(t, e)?.comm),
    'proc.aname': (_d, arg) => ancestor(arg, (p) => p.comm),
    'proc.args': (_d, arg) => {
      const n = arg?.index;
      if (n === undefined || n < 0) return str((t) => t.argsString());
      return str((t) => t.args[n] ?? '');
    },
    'proc.aargs': (_d, arg) => ancestor(arg, (p) => p.argsString()),
    'proc.cmdline': () => str(cmdline),
    'proc.pcmdline': () => str((t, e) => {
      const p = parent(t, e);
      return p === undefined ? undefined : cmdline(p);
    }),
    'proc.acmdline': (_d, arg) => ancestor(arg, cmdline),
    'proc.cmdnargs': () => ofThread((t) => t.args.length),
    'proc.cmdlenargs': () => ofThread((t) => t.args.reduce((n, a) => n + a.length, 0)),
    'proc.exeline': () => str((t) => t.exe + ' ' + t.args.join(' ')),
    'proc.env': (_d, arg) => {
      const name = arg?.key;
      if (name !== undefined && name !== '') return str((t) => t.envValue(name));
      return str((t) => t.environmentString());
    },
    'proc.aenv': (_d, arg) => procAenv(arg),
    'proc.cwd': () => str((t) => t.getCwd()),
    'proc.loginshellid': () =>
      ofThread((t, e) => {
        const main = t.mainThread();
        if (main === undefined) return undefined;
        let shell: number | undefined;
        const check = (p: ThreadInfo): boolean => {
          if (p.comm.length >= 2 && p.comm.endsWith('sh')) shell = p.pid;
          return true;
        };
        check(main);
        threads(e).forEachAncestor(main, check);
        return shell;
      }),
    'proc.tty': () => ofThread((t) => t.tty),
    'proc.pid': () => ofThread((t) => xid(t.pid)),
    'proc.ppid': () => ofThread((t, e) => {
      const p = parent(t, e);
      return p === undefined ? undefined : xid(p.pid);
    }),
    'proc.apid': (_d, arg) => {
      const n = arg?.index;
      if (n !== undefined) {
        return ofThread((t, e) => {
          const a = threads(e).ancestorProcess(t, n < 0 ? 0 : n);
          return a === undefined ? undefined : xid(a.pid);
        });
      }
      return {
        extract: (e) => {
          const t = e.thread;
          if (t === undefined) return undefined;
          const main = t.isMainThread() ? t : t.mainThread();
          if (main === undefined) return undefined;
          return ancestorValues(e, main, (p) => p.pid);
        },
        // Without an index libsinsp's output is the process's own pid.
        toText: (e) => {
          const a = e.thread === undefined ? undefined : threads(e).ancestorProcess(e.thread, 0);
          return a === undefined ? undefined : String(a.pid);
        },
        toJson: (e) => {
          const a = e.thread === undefined ? undefined : threads(e).ancestorProcess(e.thread, 0);
          return a === undefined ? undefined : a.pid;
        },
      };
    },
    'proc.vpid': () => ofThread((t) => (t.vpid === -1 ? undefined : t.vpid)),
    'proc.pvpid': () => ofThread((t, e) => threads(e).peek(t.ptid)?.vpid),
    'proc.sid': () => ofThread((t) => t.sid),
    'proc.sname': () => leaderField((t) => t.sid, true, (t) => t.comm),
    'proc.sid.exe': () => leaderField((t) => t.sid, true, (t) => t.exe),
    'proc.sid.exepath': () => leaderField((t) => t.sid, true, (t) => t.exepath),
    'proc.vpgid': () => ofThread((t) => t.vpgid),
    'proc.vpgid.name': () => leaderField((t) => t.vpgid, true, (t) => t.comm),
    'proc.vpgid.exe': () => leaderField((t) => t.vpgid, true, (t) => t.exe),
    'proc.vpgid.exepath': () => leaderField((t) => t.vpgid, true, (t) => t.exepath),
    'proc.pgid': () => ofThread((t) => t.pgid),
    'proc.pgid.name': () => leaderField((t) => t.pgid, false, (t) => t.comm),
    'proc.pgid.exe': () => leaderField((t) => t.pgid, false, (t) => t.exe),
    'proc.pgid.exepath': () => leaderField((t) => t.pgid, false, (t) => t.exepath),
    'proc.duration': () => ofThread((t, e) => (t.cloneTs === 0n ? undefined : BigInt.asIntN(64, e.evt.tsBig - t.cloneTs))),
    'proc.ppid.duration': () =>
      ofThread((t, e) => {
        const p = parent(t, e);
        if (p === undefined) return undefined;
        if (p.cloneTs !== 0n) return BigInt.asIntN(64, e.evt.tsBig - p.cloneTs);
        // libsinsp falls through to the next field here: the open fd count.
        return BigInt(t.fdOpenCount());
      }),
    'proc.pid.ts': () => ofThread((t) => (t.cloneTs === 0n ? undefined : t.cloneTs)),
    'proc.ppid.ts': () => ofThread((t, e) => threads(e).peek(t.ptid)?.cloneTs),
    'proc.is_exe_writable': () => ofThread((t) => t.exeWritable),
    'proc.is_exe_upper_layer': () => ofThread((t) => t.exeUpperLayer),
    'proc.is_exe_lower_layer': () => ofThread((t) => t.exeLowerLayer),
    'proc.is_exe_from_memfd': () => ofThread((t) => t.exeFromMemfd),
    'proc.is_sid_leader': () => ofThread((t) => t.sid === t.vpid),
    'proc.is_vpgid_leader': () => ofThread((t) => t.vpgid === t.vpid),
    'proc.is_pgid_leader': () => ofThread((t) => t.pgid === t.pid),
    'proc.exe_ino': () => ofThread((t) => (t.exeIno === 0 ? undefined : t.exeIno)),
    'proc.exe_ino.ctime': () => ofThread((t) => (t.exeInoCtime === 0n ? undefined : t.exeInoCtime)),
    'proc.exe_ino.mtime': () => ofThread((t) => (t.exeInoMtime === 0n ? undefined : t.exeInoMtime)),
    'proc.exe_ino.ctime_duration_proc_start': () =>
      ofThread((t) => (t.exeInoCtimeDurationCloneTs === 0n ? undefined : t.exeInoCtimeDurationCloneTs)),
    'proc.exe_ino.ctime_duration_pidns_start': () =>
      ofThread((t) => (t.exeInoCtimeDurationPidnsStart === 0n ? undefined : t.exeInoCtimeDurationPidnsStart)),
    'proc.pidns_init_start_ts': () =>
      withJson(
        (e) => (e.thread === undefined || e.thread.pidnsInitStartTs === 0n ? undefined : Number(e.thread.pidnsInitStartTs)),
        (e) => (e.thread === undefined || e.thread.pidnsInitStartTs === 0n ? undefined : e.thread.pidnsInitStartTs),
      ),
    'thread.cap_permitted': () => str((t) => capabilitiesToString(t.capPermitted)),
    'thread.cap_inheritable': () => str((t) => capabilitiesToString(t.capInheritable)),
    'thread.cap_effective': () => str((t) => capabilitiesToString(t.capEffective)),
    'proc.fdopencount': () => ofThread((t) => t.fdOpenCount()),
    'proc.fdlimit': () => ofThread((t) => t.fdLimit()),
    'proc.fdusage': () =>
      ofThread((t) => {
        const limit = t.fdLimit();
        if (limit <= 0) return 0;
        const open = t.fdOpenCount();
        return open <= limit ? (open * 100) / limit : 100;
      }),
    'proc.vmsize': () => ofThread((t) => t.vmsizeKb),
    'proc.vmrss': () => ofThread((t) => t.vmrssKb),
    'proc.vmswap': () => ofThread((t) => t.vmswapKb),
    'thread.pfmajor': () => ofThread((t) => t.pfmajor),
    'thread.pfminor': () => ofThread((t) => t.pfminor),
    'thread.tid': () => value((e) => xid(e.evt.tid)),
    'thread.ismain': () => ofThread((t) => t.isMainThread()),
    'thread.vtid': () => ofThread((t) => (t.vtid === -1 ? undefined : t.vtid)),
    'thread.nametid': () => str((t, e) => t.comm + String(e.evt.tid)),
    'thread.exectime': () => execTime(false),
    'thread.totexectime': () => execTime(true),
    'thread.cgroups': () =>
      str((t) => (t.cgroups.length === 0 ? undefined : t.cgroups.map(([s, p]) => `${s}=${p}`).join(' '))),
    'thread.cgroup': (_d, arg) => {
      const subsys = arg?.key ?? '';
      return str((t) => t.cgroup(subsys));
    },
    'proc.nthreads': () => ofThread((t) => t.numThreads()),
    'proc.nchilds': () => ofThread((t) => t.numNotLeaderThreads()),
    'thread.cpu': () => threadCpu(true, true),
    'thread.cpu.user': () => threadCpu(true, false),
    'thread.cpu.system': () => threadCpu(false, true),
    'thread.vmsize': () => ofThread((t) => (t.isMainThread() ? t.vmsizeKb : 0)),
    'thread.vmrss': () => ofThread((t) => (t.isMainThread() ? t.vmrssKb : 0)),
    'thread.vmsize.b': () => ofThread((t) => (t.isMainThread() ? t.vmsizeKb * 1024 : 0)),
    'thread.vmrss.b': () => ofThread((t) => (t.isMainThread() ? t.vmrssKb * 1024 : 0)),
    'proc.stdin.type': () => stdFd(0, 'type'),
    'proc.stdout.type': () => stdFd(1, 'type'),
    'proc.stderr.type': () => stdFd(2, 'type'),
    'proc.stdin.name': () => stdFd(0, 'name'),
    'proc.stdout.name': () => stdFd(1, 'name'),
    'proc.stderr.name': () => stdFd(2, 'name'),
  };
}

/**
 * proc.aenv: `[NAME]` is the variable as found in the nearest ancestor that has it; otherwise
 * conditions match any ancestor's environment (libsinsp compares all of them whenever no name is
 * given) while outputs show the environment of the `[N]`th ancestor (the process's own without N).
 */
function procAenv(arg: FieldArg | undefined): Extractor {
  const name = arg?.key ?? '';
  const level = arg?.index ?? -1;
  if (name !== '') {
    return str((t, e) => {
      let mt: ThreadInfo | undefined = t.isMainThread() ? t : t.mainThread();
      if (mt === undefined) return '';
      for (let j = 0; j < 20; j++) {
        mt = e.state.threads.peek(mt.ptid);
        if (mt === undefined) break;
        const v = mt.envValue(name);
        if (v !== '') return v;
      }
      return '';
    });
  }
  const shown = (e: SyscallEvent): string | undefined => {
    const t = e.thread;
    if (t === undefined) return undefined;
    if (level < 1) return sanitizeString(t.environmentString());
    let mt: ThreadInfo | undefined = t.isMainThread() ? t : t.mainThread();
    if (mt === undefined) return '';
    for (let j = 0; j < Math.min(level, INT32_MAX); j++) {
      mt = e.state.threads.peek(mt.ptid);
      if (mt === undefined) return undefined;
    }
    return sanitizeString(mt.environmentString());
  };
  return {
    extract: (e) => {
      const t = e.thread;
      if (t === undefined) return undefined;
      const main = t.mainThread();
      if (main === undefined) return undefined;
      return ancestorValues(e, main, (p) => sanitizeString(p.environmentString()));
    },
    toText: shown,
    toJson: shown,
  };
}
