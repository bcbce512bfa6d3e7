// Peregrine's own log (not alerts): lines on stderr in Falco's format, `<time>: <message>`, so that
// users' log parsing and Falco's regression expectations keep working. Falco's levels and the
// `log_level`, `log_stderr`, `log_syslog` and `time_format_iso_8601` settings apply.
//
// Kept hand-written and tiny on purpose: the format is a compatibility requirement that structured
// loggers (pino and the like) would only reach through a pretty-printer. A syslog sink is plugged
// in through `setLogSink` by the outputs layer, which owns the syslog socket.

export type LogLevel = 'emergency' | 'alert' | 'critical' | 'error' | 'warning' | 'notice' | 'info' | 'debug';

/** Severity numbers as syslog (and Falco) define them: lower is more severe. */
export const LOG_SEVERITY: Readonly<Record<LogLevel, number>> = {
  emergency: 0, alert: 1, critical: 2, error: 3, warning: 4, notice: 5, info: 6, debug: 7,
};

export interface LogSettings {
  level: LogLevel;
  stderr: boolean;
  iso8601: boolean;
}

/** Extra destination for log lines (e.g. syslog); receives the bare message and its level. */
export type LogSink = (level: LogLevel, message: string) => void;

const settings: LogSettings = { level: 'info', stderr: true, iso8601: false };
let sink: LogSink | undefined;

export function configureLog(update: Partial<LogSettings>): void {
  Object.assign(settings, update);
}

export function setLogSink(next: LogSink | undefined): void {
  sink = next;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `Sat Nov 28 16:14:42 2026` (ctime style, local time) or, as Falco does, UTC `2026-11-28T16:14:42+0000`. */
export function formatLogTime(date: Date, iso8601: boolean): string {
  if (iso8601) {
    return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:` +
      `${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}+0000`;
  }
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${pad(date.getDate())} ${pad(date.getHours())}:` +
    `${pad(date.getMinutes())}:${pad(date.getSeconds())} ${date.getFullYear()}`;
}

function emit(level: LogLevel, message: string): void {
  if (LOG_SEVERITY[level] > LOG_SEVERITY[settings.level]) return;
  if (settings.stderr) {
    process.stderr.write(`${formatLogTime(new Date(), settings.iso8601)}: ${message}\n`);
  }
  sink?.(level, message);
}

export const log = {
  emergency: (m: string): void => emit('emergency', m),
  alert: (m: string): void => emit('alert', m),
  critical: (m: string): void => emit('critical', m),
  error: (m: string): void => emit('error', m),
  warning: (m: string): void => emit('warning', m),
  notice: (m: string): void => emit('notice', m),
  info: (m: string): void => emit('info', m),
  debug: (m: string): void => emit('debug', m),
  enabled: (level: LogLevel): boolean => LOG_SEVERITY[level] <= LOG_SEVERITY[settings.level],
};
