// Hot reload support (`watch_config_files`): watches the configuration files, the rules files and
// the directories they came from, and reports one "changed" notification once changes settle.
//
// Each file is watched through its parent directory, because editors save by writing a new file and
// renaming it over the old one, which ends a watch on the file itself. A burst of filesystem events
// is debounced, then the contents are compared with what they were: a touch or a save that changes
// nothing does not trigger a reload.
import { createHash } from 'node:crypto';
import { type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import path from 'node:path';

export interface WatchTargets {
  /** Files whose content matters (configuration files, rules files). */
  files: readonly string[];
  /** Directories whose set of files and their contents matter (config.d, rules.d). */
  directories: readonly string[];
}

export interface ConfigChange {
  /** Watched files and directories whose content differs from before, sorted. */
  changed: string[];
}

export interface WatchOptions {
  /** Quiet time after the last filesystem event before contents are compared (default 250 ms). */
  debounceMs?: number;
  onChange(change: ConfigChange): void;
  /** A directory could not be watched or a watch failed; watching goes on for the rest. */
  onError?(error: Error): void;
}

export interface ConfigWatcher {
  close(): void;
}

/** What a path holds now: a file's hash, a directory's file names and hashes, or 'absent'. */
function fingerprint(target: string): string {
  try {
    const stat = statSync(target);
    if (stat.isFile()) return createHash('sha256').update(readFileSync(target)).digest('hex');
    if (stat.isDirectory()) {
      const hash = createHash('sha256');
      for (const name of readdirSync(target).sort()) {
        const file = path.join(target, name);
        try {
          if (statSync(file).isFile()) hash.update(name).update('\0').update(readFileSync(file)).update('\0');
        } catch {
          hash.update(name).update('\0dangling\0');
        }
      }
      return `dir:${hash.digest('hex')}`;
    }
    return 'other';
  } catch {
    return 'absent';
  }
}

export function watchConfigFiles(targets: WatchTargets, options: WatchOptions): ConfigWatcher {
  const debounceMs = options.debounceMs ?? 250;
  const watched = [...new Set([...targets.files, ...targets.directories].map((p) => path.resolve(p)))];
  const directories = new Set(targets.directories.map((d) => path.resolve(d)));
  const state = new Map(watched.map((p) => [p, fingerprint(p)]));

  // Directory to watch → names in it that matter (undefined: every name, it is a watched directory).
  const interest = new Map<string, Set<string> | undefined>();
  const addInterest = (dir: string, name: string | undefined): void => {
    if (interest.has(dir) && interest.get(dir) === undefined) return;
    if (name === undefined) {
      interest.set(dir, undefined);
      return;
    }
    const names = interest.get(dir) ?? new Set<string>();
    names.add(name);
    interest.set(dir, names);
  };
  for (const target of watched) {
    addInterest(path.dirname(target), path.basename(target));
    if (directories.has(target)) addInterest(target, undefined);
  }

  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const settle = (): void => {
    timer = undefined;
    if (closed) return;
    const changed: string[] = [];
    for (const target of watched) {
      const now = fingerprint(target);
      if (now !== state.get(target)) {
        state.set(target, now);
        changed.push(target);
      }
    }
    if (changed.length > 0) options.onChange({ changed: changed.sort() });
  };

  const watchers: FSWatcher[] = [];
  for (const [dir, names] of interest) {
    try {
      const w = watch(dir, { persistent: false }, (_event, filename) => {
        if (names && filename !== null && !names.has(filename.toString())) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(settle, debounceMs);
      });
      w.on('error', (err) => options.onError?.(err));
      watchers.push(w);
    } catch (err) {
      options.onError?.(new Error(`cannot watch ${dir} for changes: ${(err as Error).message}`));
    }
  }

  return {
    close(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
