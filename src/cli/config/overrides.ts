// `-o KEY=VALUE`: sets one configuration value over what the files say, as Falco does. The value is
// a string (typed later against the schema, so `-o json_output=true` is a boolean) unless it is a
// YAML map in braces, `-o 'append_output[]={"match": {"source": "syscall"}, "extra_output": "x"}'`.
import { ConfigError, UserError } from '../errors.js';
import { type ConfigMap, type ConfigValue, type KeyPath, OriginTable, formatKeyPath } from './document.js';
import { KeyPathError, parseKeyPath, type PathSegment } from './key-path.js';
import { parseConfigYaml } from './yaml-source.js';

export interface ConfigOverride {
  /** The option as given, `key=value`. */
  readonly text: string;
  readonly path: PathSegment[];
  readonly value: ConfigValue;
}

/** How an `-o` option is named in messages. */
export function overrideSource(text: string): string {
  return `-o '${text}'`;
}

/** Parses `key=value` (split at the first `=`). Throws UserError naming the option. */
export function parseOverride(text: string, origins: OriginTable): ConfigOverride {
  const eq = text.indexOf('=');
  if (eq === -1) {
    throw new UserError(`Error parsing config option "${text}". Must be of the form key=val or key.subkey=val`);
  }
  const keyText = text.slice(0, eq);
  const valueText = text.slice(eq + 1);
  let path: PathSegment[];
  try {
    path = parseKeyPath(keyText);
  } catch (err) {
    if (err instanceof KeyPathError) throw new UserError(`Config error at key "${keyText}" in ${overrideSource(text)}: ${err.message}`);
    throw err;
  }
  let value: ConfigValue = valueText;
  if (valueText.startsWith('{') && valueText.endsWith('}')) {
    try {
      value = parseConfigYaml(valueText, overrideSource(text), origins, { expandEnv: false });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // Problems read `<source>:1:<column>: invalid YAML: <why>`; the column is what helps here.
      const prefix = `${overrideSource(text)}:`;
      const why = err.problems.map((p) => p.startsWith(prefix) ? p.slice(prefix.length).replace(/^1:(\d+): invalid YAML: /, 'column $1 of the value: ') : p);
      throw new UserError(`Error parsing config option "${text}": invalid YAML map: ${why.join('; ')}`);
    }
  }
  return { text, path, value };
}

/** Is this override about `config_files` (applied before included files are read, as in Falco)? */
export function isConfigFilesOverride(override: ConfigOverride): boolean {
  const first = override.path[0];
  return first?.kind === 'key' && first.key === 'config_files';
}

/**
 * Sets the override's value in the document, creating the maps and lists on its path. Returns the
 * concrete path that was set (appends resolved to indexes).
 */
export function applyOverride(root: ConfigMap, override: ConfigOverride, origins: OriginTable): KeyPath {
  const origin = { source: overrideSource(override.text) };
  const done: (string | number)[] = [];
  let container: ConfigMap | ConfigValue[] = root;
  const fail = (why: string): never => {
    throw new UserError(`Cannot apply ${overrideSource(override.text)}: ${why}`);
  };

  override.path.forEach((segment, i) => {
    const last = i === override.path.length - 1;
    const nextSegment = override.path[i + 1];
    // What to create when the next level is missing: a list for `[n]`/`[]`, else a map.
    const fresh = (): ConfigValue => (nextSegment && nextSegment.kind !== 'key' ? [] : {});
    let slot: string | number;

    if (segment.kind === 'key') {
      if (Array.isArray(container)) fail(`'${formatKeyPath(done)}' is a list; use an index like [0] or [] to append`);
      slot = segment.key;
    } else {
      if (!Array.isArray(container)) fail(`'${formatKeyPath(done)}' is a map, not a list`);
      const list = container as ConfigValue[];
      if (segment.kind === 'append') {
        list.push(null);
        slot = list.length - 1;
      } else {
        if (segment.index > list.length) {
          fail(`index ${segment.index} is out of range: '${formatKeyPath(done)}' has ${list.length} item(s)`);
        }
        if (segment.index === list.length) list.push(null);
        slot = segment.index;
      }
    }

    const holder = container as Record<string | number, ConfigValue>;
    done.push(slot);
    if (last) {
      holder[slot] = override.value;
      origins.set(container, slot, origin);
      return;
    }
    let child = holder[slot];
    if (child === undefined || child === null) {
      child = fresh();
      holder[slot] = child;
      origins.set(container, slot, origin);
    }
    if (typeof child !== 'object') {
      fail(`'${formatKeyPath(done)}' holds the value ${JSON.stringify(child)}, not a ${nextSegment?.kind === 'key' ? 'map' : 'list'}`);
    }
    container = child as ConfigMap | ConfigValue[];
  });
  return done;
}
