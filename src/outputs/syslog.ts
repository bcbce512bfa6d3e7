// `syslog_output`: each alert as one syslog message, severity = the rule's priority (Falco's
// priorities are syslog severities), facility LOG_USER, the formatted line without newline.
// Also the `log_syslog` sink: Peregrine's own log lines through the same kind of socket.
import { LOG_SEVERITY, setLogSink, type LogSink } from '../util/log.js';
import { sendEach, type AlertOutput, type OutputMessage } from './output.js';
import { SyslogSocket, type SyslogSocketOptions } from './syslog-socket.js';

/** Options from falco.yaml `syslog_output` (Peregrine additions marked). */
export type SyslogOutputOptions = SyslogSocketOptions;

export class SyslogOutput implements AlertOutput {
  readonly name = 'syslog';
  private readonly socket: SyslogSocket;

  constructor(options: SyslogOutputOptions = {}) {
    this.socket = new SyslogSocket(options);
  }

  send(batch: readonly OutputMessage[]): Promise<void> {
    return sendEach(batch, (message) => this.socket.send(message.alert.priority, message.text));
  }

  async reopen(): Promise<void> {
    // Every datagram names the socket path: nothing to reopen.
  }

  async flush(): Promise<void> {
    // Datagrams are not buffered.
  }

  async close(): Promise<void> {
    this.socket.close();
  }
}

/** What the log's syslog sink has lost (the log cannot report its own failures through itself). */
export interface SyslogLogSinkStats {
  sent: number;
  failed: number;
  lastError?: string;
}

/**
 * Sends Peregrine's log lines to syslog (`log_syslog: true`) with the log level as severity, as
 * Falco's logger does: without the time prefix and without a trailing newline. Returns the sink's
 * counters and a function that removes it.
 */
export function installSyslogLogSink(options: SyslogSocketOptions = {}): { stats: SyslogLogSinkStats; uninstall(): void } {
  const socket = new SyslogSocket(options);
  const stats: SyslogLogSinkStats = { sent: 0, failed: 0 };
  const sink: LogSink = (level, message) => {
    const text = message.endsWith('\n') ? message.slice(0, -1) : message;
    socket.send(LOG_SEVERITY[level], text).then(
      () => {
        stats.sent++;
      },
      (err: unknown) => {
        stats.failed++;
        stats.lastError = (err as Error).message;
      },
    );
  };
  setLogSink(sink);
  return {
    stats,
    uninstall(): void {
      setLogSink(undefined);
      socket.close();
    },
  };
}
