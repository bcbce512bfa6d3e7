// The field classes of the syscall source, in libsinsp's resolution and `--list` order, plus the
// plugin classes Falco adds to it (by default the container plugin, as Falco 0.44 loads it).
import { genEventClass } from '../gen-event.js';
import { containerPluginClass } from '../plugins/container.js';
import { Registry, type EventCatalog, type FieldClassDecl } from '../registry.js';
import { implementStaticFields, staticFieldsClass } from '../static.js';
import { syscallEventClass } from './event.js';
import { fdClass } from './fd.js';
import { fdListClass, fsPathClass, utilClass } from './fspath.js';
import { processClass } from './process.js';
import { groupClass, userClass } from './user.js';

/** The built-in (libsinsp) classes of the syscall source. */
export const SYSCALL_BUILTIN_CLASSES: readonly FieldClassDecl[] = [
  genEventClass,
  syscallEventClass,
  processClass,
  userClass,
  groupClass,
  fdClass,
  fsPathClass,
  utilClass,
  fdListClass,
];

export interface SyscallFieldOptions {
  /** Plugin field classes extracting from syscall events; default: the container plugin. */
  readonly plugins?: readonly FieldClassDecl[];
  /** The event table, for evt.arg.NAME / evt.rawarg.NAME / evt.type.is.NAME. */
  readonly events?: EventCatalog;
  /** Falco's `static_fields` (names without the `static.` prefix). */
  readonly staticFields?: Readonly<Record<string, string>>;
}

export function createSyscallFieldRegistry<E>(options: SyscallFieldOptions = {}): Registry<E> {
  const plugins = options.plugins ?? [containerPluginClass];
  // Falco adds the static fields after libsinsp's classes and before the plugins'.
  const statics = options.staticFields ? [staticFieldsClass(options.staticFields)] : [];
  const registry = new Registry<E>('syscall', [...SYSCALL_BUILTIN_CLASSES, ...statics, ...plugins], { events: options.events });
  if (options.staticFields) implementStaticFields(registry, options.staticFields);
  return registry;
}
