// A client of the local syslog daemon, sending what glibc's syslog(3) sends when Falco calls it
// without openlog(): one datagram `<PRI>Mmm dd HH:MM:SS ident: message` to /dev/log, facility
// LOG_USER, PRI = facility * 8 + severity, local time, no PID.
//
// Node has no Unix datagram sockets. We use the `unix-dgram` addon (a small, long-standing native
// module, the one winston-syslog relies on) rather than a `logger` child process: one datagram per
// message keeps messages with embedded newlines whole and has no size limit of its own, and there
// is no extra process to supervise. Each send names the socket path (sendto), so a syslog daemon
// that restarts and recreates its socket is picked up without reconnecting.
import type { UnixDgramSocket } from 'unix-dgram';
import { setTimeout as sleep } from 'node:timers/promises';

/** syslog facility codes (the numeric value, before the shift by 3). */
export const SYSLOG_FACILITY_USER = 1;

export interface SyslogSocketOptions {
  /** Path of the syslog socket (default `/dev/log`). */
  readonly path?: string;
  /** Program name at the start of each message (glibc uses the program's name). */
  readonly ident?: string;
  /** Facility code (default LOG_USER = 1, as Falco never calls openlog). */
  readonly facility?: number;
  /** How long a send waits for a congested socket to accept the datagram (default 1000 ms). */
  readonly congestionWaitMs?: number;
}

export const DEFAULT_SYSLOG_PATH = '/dev/log';
export const DEFAULT_SYSLOG_IDENT = 'peregrine';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** The RFC 3164 timestamp glibc writes (`%h %e %T`, local time): `Nov  8 16:04:02`. */
export function syslogTimestamp(date: Date): string {
  const day = date.getDate();
  return `${MONTHS[date.getMonth()]} ${day < 10 ? ' ' : ''}${day} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

let addon: Promise<{ createSocket(type: 'unix_dgram'): UnixDgramSocket }> | undefined;

/** Loads the native addon once; a failure names it so the user knows what to reinstall. */
function loadAddon(): Promise<{ createSocket(type: 'unix_dgram'): UnixDgramSocket }> {
  addon ??= import('unix-dgram').then(
    (mod) => mod.default,
    (err: unknown) => {
      addon = undefined;
      throw new Error(`the unix-dgram native module could not be loaded (${(err as Error).message}); run npm ci`);
    },
  );
  return addon;
}

export class SyslogSocket {
  readonly path: string;
  readonly ident: string;
  readonly facility: number;
  private readonly congestionWaitMs: number;
  private socket: Promise<UnixDgramSocket> | undefined;

  constructor(options: SyslogSocketOptions = {}) {
    this.path = options.path ?? DEFAULT_SYSLOG_PATH;
    this.ident = options.ident ?? DEFAULT_SYSLOG_IDENT;
    this.facility = options.facility ?? SYSLOG_FACILITY_USER;
    this.congestionWaitMs = options.congestionWaitMs ?? 1000;
  }

  /** The datagram for a message of the given severity (0 emergency .. 7 debug). */
  frame(severity: number, message: string, date: Date = new Date()): Buffer {
    const pri = this.facility * 8 + (severity & 7);
    return Buffer.from(`<${pri}>${syslogTimestamp(date)} ${this.ident}: ${message}`);
  }

  private open(): Promise<UnixDgramSocket> {
    // One socket, created once even when several sends start before the addon has loaded.
    this.socket ??= loadAddon().then(({ createSocket }) => {
      const socket = createSocket('unix_dgram');
      // Errors are reported through send callbacks; keep stray 'error' events from crashing the agent.
      socket.on('error', () => undefined);
      return socket;
    });
    this.socket.catch(() => {
      this.socket = undefined;
    });
    return this.socket;
  }

  private sendOnce(socket: UnixDgramSocket, datagram: Buffer): Promise<'sent' | 'congested'> {
    return new Promise((resolve, reject) => {
      socket.send(datagram, 0, datagram.length, this.path, (err) => {
        if (!err) resolve('sent');
        else if (err.code === 1) resolve('congested');
        else reject(new Error(`cannot send to syslog socket ${this.path}: ${syslogErrorText(err.code)}`));
      });
    });
  }

  /**
   * Sends one message. Rejects when the socket is missing or refuses (no syslog daemon), or stays
   * congested longer than the configured wait.
   */
  async send(severity: number, message: string): Promise<void> {
    const socket = await this.open();
    const datagram = this.frame(severity, message);
    const deadline = Date.now() + this.congestionWaitMs;
    while ((await this.sendOnce(socket, datagram)) === 'congested') {
      if (Date.now() >= deadline) {
        throw new Error(`syslog socket ${this.path} stayed congested for ${this.congestionWaitMs} ms; message dropped`);
      }
      // The addon emits 'writable' when the socket drains; polling as well covers a missed event.
      await Promise.race([
        new Promise((resolve) => socket.once('writable', resolve)),
        sleep(10),
      ]);
      socket.removeAllListeners('writable');
    }
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.then((s) => s.close(), () => undefined);
  }
}

/** errno names for the failures a syslog client meets (the addon reports negative errnos). */
function syslogErrorText(code: number | undefined): string {
  switch (code) {
    case -2: return 'ENOENT (no such socket: is a syslog daemon running?)';
    case -111: return 'ECONNREFUSED (no syslog daemon is listening)';
    case -13: return 'EACCES (permission denied)';
    case -90: return 'EMSGSIZE (message too long for a datagram)';
    case -91: return 'EPROTOTYPE (not a datagram socket)';
    default: return `errno ${code === undefined ? '?' : -code}`;
  }
}
