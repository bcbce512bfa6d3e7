// Types for the parts of the `unix-dgram` package (a native addon without bundled types) that the
// syslog socket uses.
declare module 'unix-dgram' {
  import type { EventEmitter } from 'node:events';

  export interface UnixDgramSocket extends EventEmitter {
    /** Sends one datagram to the socket at `path`; the callback gets an Error whose `code` is the
     *  negative errno, or `code === 1` / message `congestion` when the receiver's queue is full. */
    send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error & { code?: number }) => void): void;
    close(): void;
  }

  const unixDgram: {
    createSocket(type: 'unix_dgram'): UnixDgramSocket;
  };
  export default unixDgram;
}
