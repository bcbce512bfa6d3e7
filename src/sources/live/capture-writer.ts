// Writing live events into capture files that both current readers (Falco 0.44, Peregrine) and
// sysdig 0.29.3 read.
//
// sysdig 0.29.3 indexes its syscall table with the ID parameter of generic events (syscalls
// without an event of their own) and knows ppm_sc codes below 329: a generic event of a newer
// syscall (rseq, statx, faccessat2...) crashes it when it prints `evt.type`. Such events are
// written with ID 0 ("unknown"), keeping their native syscall number: Falco and Peregrine then
// name the syscall from that number when reading a capture (libsinsp's forward-compatibility
// rule for generic events), so `evt.type` reads the same, and sysdig skips the name instead of
// crashing. Every other event is written byte for byte.
import { EVENT_CODE } from '../../scap/event-table.js';
import type { ScapEvent } from '../../scap/event.js';
import { EVT_HEADER_SIZE } from '../../scap/format.js';
import type { ScapWriter } from '../../scap/writer.js';

/** ppm_sc codes sysdig 0.29.3's syscall table has (0..328). */
export const SYSDIG_0_29_PPM_SC_COUNT = 329;

export class CompatibleEventWriter {
  private scratch = new Uint8Array(256);
  /** Generic events written with their ID cleared. */
  rewrittenGeneric = 0;

  constructor(readonly writer: ScapWriter) {}

  write(evt: ScapEvent): void {
    const type = evt.type;
    if ((type === EVENT_CODE.GENERIC_E || type === EVENT_CODE.GENERIC_X) && evt.nparams >= 2) {
      const id = evt.uint(0) ?? 0;
      const raw = evt.raw();
      // Only the current layout (V2 header, 16-bit lengths) is patched; live events have it.
      if (id >= SYSDIG_0_29_PPM_SC_COUNT && raw.length === evt.length) {
        if (this.scratch.length < raw.length) this.scratch = new Uint8Array(raw.length * 2);
        const bytes = this.scratch.subarray(0, raw.length);
        bytes.set(raw);
        const at = EVT_HEADER_SIZE + evt.nparams * 2;
        bytes[at] = 0;
        bytes[at + 1] = 0;
        this.writer.writeRawEvent(bytes, evt.cpu, evt.flags);
        this.rewrittenGeneric++;
        return;
      }
    }
    this.writer.writeEvent(evt);
  }
}
