// Builds a large capture reproducibly from a corpus capture: its header blocks once, then its event
// blocks repeated with timestamps shifted by the capture's time span on every pass, until the
// requested number of events is written. Written with Peregrine's writer.
//
//   node dist/bench/make-capture.js [--from CAPTURE] [--events N] [--out FILE] [--gzip] [--convert]
//
// CAPTURE is a path, or a name under the corpus captures/ directory (default libs_e2e/curl_google:
// curl resolving and fetching a page — memory, file, network and clock syscalls, a realistic mix).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScapReader } from '../src/scap/reader.js';
import { ScapWriter } from '../src/scap/writer.js';
import type { ScapEvent } from '../src/scap/event.js';
import { corpusPath } from '../test/helpers/corpus.js';

export interface MakeCaptureOptions {
  from: string;
  events: number;
  out: string;
  gzip?: boolean;
  /**
   * Write the events as Falco 0.44 reads them (scap's converter: current layouts, enter events
   * merged into their exits): the capture a current driver records, from an old-format source.
   */
  convert?: boolean;
}

export interface MadeCapture {
  path: string;
  events: number;
  bytes: number;
  sourceEvents: number;
}

export function resolveCapture(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  return corpusPath('captures', nameOrPath.endsWith('.scap') ? nameOrPath : `${nameOrPath}.scap`);
}

export async function makeCapture(options: MakeCaptureOptions): Promise<MadeCapture> {
  // Keep the source's events in memory (detached copies): corpus captures are small.
  const reader = await ScapReader.open(resolveCapture(options.from), { convert: options.convert ?? false });
  const events: ScapEvent[] = [];
  await reader.forEach((e) => {
    events.push(e.detach());
  });
  if (events.length === 0) throw new Error(`${options.from}: no events to repeat`);
  const stamped = events.filter((e) => e.tsBig !== 0n).map((e) => e.tsBig);
  const first = stamped.reduce((a, b) => (b < a ? b : a));
  const last = stamped.reduce((a, b) => (b > a ? b : a));
  // Each pass starts 1 µs after the previous one ended.
  const span = last - first + 1000n;

  const writer = ScapWriter.create(options.out, { gzip: options.gzip ?? false, compressionLevel: 1 });
  writer.writeHeader(reader.header);
  let written = 0;
  for (let pass = 0n; written < options.events; pass++) {
    for (const e of events) {
      if (written >= options.events) break;
      // Events without a timestamp (container metadata) stay at 0, as in the source.
      writer.writeEvent(e, e.tsBig === 0n ? 0n : e.tsBig + pass * span);
      written++;
      if (writer.backpressure) await writer.drain();
    }
  }
  await writer.close();
  return { path: options.out, events: written, bytes: statSync(options.out).size, sourceEvents: events.length };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const made = await makeCapture({
    from: arg('--from') ?? 'libs_e2e/curl_google',
    events: Number(arg('--events') ?? 3_000_000),
    out: arg('--out') ?? 'bench/out/replay.scap',
    gzip: process.argv.includes('--gzip'),
    convert: process.argv.includes('--convert'),
  });
  console.log(`${made.path}: ${made.events} events (${made.sourceEvents} repeated), ${made.bytes} bytes`);
}
