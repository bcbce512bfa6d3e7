// Live capture as the agent uses it: compute the syscalls the loaded rules need (Falco's
// base_syscalls semantics), start the driver with them, log what Falco logs about the selection,
// and open the driver's stream with the scap reader, so live events flow through the same reader,
// state and rules code as a capture file. `reselect` applies a new rule set (hot reload) without
// restarting the driver.
import { log } from '../../util/log.js';
import { ScapReader, type ScapReaderOptions } from '../../scap/reader.js';
import { DriverProcess, type DriverOptions, type SelectionResult } from './driver-process.js';
import { computeSyscallSelection, type BaseSyscallsConfig, type SyscallSelection } from './syscall-selection.js';

export interface LiveCaptureOptions extends Omit<DriverOptions, 'syscalls'> {
  /** Event-type names the loaded syscall rules can match. */
  readonly rulesEventTypes: Iterable<string>;
  readonly pluginEventTypes?: Iterable<string>;
  /** falco.yaml's base_syscalls. */
  readonly baseSyscalls?: BaseSyscallsConfig;
  /** Options of the stream reader (its source name defaults to "live capture"). */
  readonly reader?: ScapReaderOptions;
}

export interface LiveCapture {
  readonly driver: DriverProcess;
  /** The driver's stream: header tables in `reader.header`, then events from `reader.next()`. */
  readonly reader: ScapReader;
  readonly selection: SyscallSelection;
  /** Recomputes and applies the selection for new rules (hot reload). */
  reselect(rulesEventTypes: Iterable<string>, pluginEventTypes?: Iterable<string>): Promise<SelectionResult>;
  /** Stops the driver; events already captured keep arriving on the reader until its end. */
  stop(): Promise<void>;
}

/** Logs the selection's messages at their levels; the unsupported-evttype warning goes to stderr
 *  as Falco prints it (outside its log). */
function logSelection(selection: SyscallSelection): void {
  for (const m of selection.messages) {
    if (m.text.startsWith('Loaded rules match syscalls that are not activated') || m.text.startsWith('If syscalls in rules')) {
      process.stderr.write(m.text + '\n');
    } else if (log.enabled(m.level)) {
      log[m.level](m.text.replace(/\n$/, ''));
    }
  }
}

export async function startLiveCapture(options: LiveCaptureOptions): Promise<LiveCapture> {
  const baseSyscalls = options.baseSyscalls;
  const selection = computeSyscallSelection({
    rulesEventTypes: options.rulesEventTypes, pluginEventTypes: options.pluginEventTypes, baseSyscalls,
  });
  logSelection(selection);
  const driver = await DriverProcess.start({ ...options, syscalls: selection.syscalls });
  let reader: ScapReader;
  try {
    reader = await driver.openReader({ source: 'live capture', ...options.reader });
  } catch (e) {
    await driver.stop();
    throw e;
  }
  let current = selection;
  return {
    driver,
    reader,
    get selection() {
      return current;
    },
    async reselect(rulesEventTypes, pluginEventTypes) {
      current = computeSyscallSelection({ rulesEventTypes, pluginEventTypes, baseSyscalls });
      logSelection(current);
      return driver.select(current.syscalls);
    },
    async stop() {
      await driver.stop();
    },
  };
}
