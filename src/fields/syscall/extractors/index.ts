// Attaches the extractors of every syscall-source field to a registry, and builds the syscall
// event source (definition plus extractors) for stateful syscall events.
import type { Registry } from '../../registry.js';
import type { SyscallEvent } from '../../../state/syscall-event.js';
import { createSyscallSourceDefinition, type SyscallSourceDefinition } from '../../../sources/syscall/definition.js';
import { eventExtractors } from './event.js';
import { processExtractors } from './process.js';
import { fdExtractors, fdlistExtractors, fsPathExtractors, userExtractors } from './fd.js';
import { containerExtractors } from './container.js';

/** Every extractor factory, by declared field name. */
export function syscallExtractorFactories() {
  return {
    ...eventExtractors(),
    ...processExtractors(),
    ...userExtractors(),
    ...fdExtractors(),
    ...fdlistExtractors(),
    ...fsPathExtractors(),
    ...containerExtractors(),
  };
}

/** Implements every declared field of `registry` that has an extractor here. */
export function implementSyscallExtractors(registry: Registry<SyscallEvent>): void {
  for (const [name, factory] of Object.entries(syscallExtractorFactories())) {
    if (registry.lookup(name) !== undefined) registry.implement(name, factory);
  }
}

/** The syscall event source with all its fields extracting from stateful syscall events. */
export function createSyscallSource(): SyscallSourceDefinition<SyscallEvent> {
  const def = createSyscallSourceDefinition<SyscallEvent>();
  implementSyscallExtractors(def.fields);
  return def;
}
