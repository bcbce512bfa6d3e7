// The configuration as a document: the plain tree that YAML files and `-o` options build, before
// it is validated and turned into the typed PeregrineConfig. Every value remembers where it came
// from (file:line:column, or the `-o` option that set it), so that a problem found after files were
// merged still names the place the user has to fix.

/** A YAML value as plain JavaScript data. */
export type ConfigValue = null | boolean | number | string | ConfigValue[] | ConfigMap;
export interface ConfigMap {
  [key: string]: ConfigValue;
}

/** Where a value was written. */
export interface Origin {
  /** File path, or the command-line option (`-o key=value`) that set the value. */
  readonly source: string;
  /** 1-based line and column of the value in `source`, when it is a file. */
  readonly line?: number;
  readonly column?: number;
}

/** A path into the document: map keys and list indexes, from the root. */
export type KeyPath = readonly (string | number)[];

export function formatOrigin(origin: Origin): string {
  if (origin.line === undefined) return origin.source;
  return `${origin.source}:${origin.line}:${origin.column ?? 1}`;
}

/** `webserver.listen_port`, `plugins[0].init_config`: the spelling `-o` uses. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const escaped = part.replace(/[\\.[\]]/g, (c) => `\\${c}`);
      out += out === '' ? escaped : `.${escaped}`;
    }
  }
  return out;
}

export function isConfigMap(value: ConfigValue | undefined): value is ConfigMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Origins of the values of one configuration load, keyed by the containing map or list and the
 * key or index in it. One table serves every file and option of a load, so a subtree moved from an
 * included file into the main document keeps its positions without copying.
 */
export class OriginTable {
  private readonly byContainer = new WeakMap<object, Map<string | number, Origin>>();

  set(container: ConfigMap | ConfigValue[], key: string | number, origin: Origin): void {
    let entries = this.byContainer.get(container);
    if (!entries) {
      entries = new Map();
      this.byContainer.set(container, entries);
    }
    entries.set(key, origin);
  }

  get(container: ConfigMap | ConfigValue[], key: string | number): Origin | undefined {
    return this.byContainer.get(container)?.get(key);
  }

  /** Origin of the value at `path`, or of its nearest ancestor that has one. */
  find(root: ConfigMap, path: KeyPath): Origin | undefined {
    let container: ConfigValue = root;
    let best: Origin | undefined;
    for (const part of path) {
      if (typeof container !== 'object' || container === null) break;
      const here = this.get(container, part);
      if (here) best = here;
      const next: ConfigValue | undefined = Array.isArray(container)
        ? (typeof part === 'number' ? container[part] : undefined)
        : (typeof part === 'string' ? container[part] : undefined);
      if (next === undefined) break;
      container = next;
    }
    return best;
  }
}

/** `file:line:col: ` prefix for a message about the value at `path`, or '' when unknown. */
export function locate(origins: OriginTable, root: ConfigMap, path: KeyPath): string {
  const origin = origins.find(root, path);
  return origin ? `${formatOrigin(origin)}: ` : '';
}
