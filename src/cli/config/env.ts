// `${NAME}` expansion in configuration values, with Falco's exact rules (falco.yaml users rely on
// them, e.g. `library_path: /foo/${PLUGIN_DIR}/lib.so` or `static_fields: {node: ${NODE_NAME}}`):
//
// - `${NAME}` is replaced by the variable's value, or by nothing when it is unset;
// - the replaced text is scanned again, so a variable whose value holds `${OTHER}` expands twice;
// - `$${...}` is an escape: one `$` is dropped and `${...}` stays literal;
// - a `${` or `$${` without a later `}` leaves the rest of the value untouched;
// - a `$` that starts neither form (`$HOME`, `$5`) also ends expansion for the rest of the value.
//
// Unlike Falco, a value that keeps expanding into itself is reported instead of hanging the agent.

export type Environment = Readonly<Record<string, string | undefined>>;

/** More substitutions than this in one value can only come from a self-referencing variable. */
const MAX_SUBSTITUTIONS = 1000;

export class EnvExpansionError extends Error {}

/** Returns `text` with environment references expanded; throws EnvExpansionError on a loop. */
export function expandEnv(text: string, env: Environment = process.env): string {
  let value = text;
  let pos = value.indexOf('$');
  let substitutions = 0;
  while (pos !== -1) {
    if (value.startsWith('${', pos)) {
      const close = value.indexOf('}', pos);
      if (close === -1) break;
      const name = value.slice(pos + 2, close);
      // An empty name is never set (getenv("") in Falco), so `${}` simply disappears.
      const replacement = name === '' ? undefined : env[name];
      value = value.slice(0, pos) + (replacement ?? '') + value.slice(close + 1);
      if (++substitutions > MAX_SUBSTITUTIONS) {
        throw new EnvExpansionError(
          `environment variable expansion of '${text}' does not terminate (a variable refers to itself)`);
      }
      // Stay at `pos`: the inserted value is scanned again.
    } else if (value.startsWith('$${', pos)) {
      if (value.indexOf('}', pos) === -1) break;
      value = value.slice(0, pos) + value.slice(pos + 1);
      pos += 1; // past the remaining '$', so its `{...}` stays literal
    } else {
      break;
    }
    pos = value.indexOf('$', pos);
  }
  return value;
}
