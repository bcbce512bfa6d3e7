// Choosing the event sources to run (`--enable-source`, `--disable-source`), with Falco's rules
// and messages: both flags together are refused, an unknown source is refused, and at least one
// source must stay enabled. Replaying a capture ignores both flags (the capture decides).
import { UserError } from './errors.js';

export function selectEventSources(
  loaded: readonly string[], enable: readonly string[], disable: readonly string[], replaying: boolean,
): string[] {
  if (replaying) return [...loaded];
  if (enable.length > 0 && disable.length > 0) {
    throw new UserError('You can not mix --enable-source and --disable-source');
  }
  let enabled = [...loaded];
  if (enable.length > 0) {
    for (const source of enable) {
      if (!loaded.includes(source)) throw new UserError(`Attempted enabling an unknown event source: ${source}`);
    }
    enabled = loaded.filter((source) => enable.includes(source));
  } else if (disable.length > 0) {
    for (const source of disable) {
      if (!loaded.includes(source)) throw new UserError(`Attempted disabling an unknown event source: ${source}`);
    }
    enabled = loaded.filter((source) => !disable.includes(source));
  }
  if (enabled.length === 0) throw new UserError('Must enable at least one event source');
  return enabled;
}
