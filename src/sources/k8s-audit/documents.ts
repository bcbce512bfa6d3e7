// Splits the lines of an audit log into JSON documents. The k8saudit plugin reads JSON Lines (one
// Event, EventList or array per line), which is what the API server's log backend writes; this
// also accepts documents spread over several lines (a pretty-printed EventList saved with
// `kubectl ... -o json`, jq output), so such files need no conversion.
//
// A line that is a complete document is taken as is (the fast path). A line that opens an object
// or array without closing it starts a multi-line document, which ends where its brackets balance.
// A pending document that cannot be completed (a truncated line followed by a new document at
// column 0, an unterminated string, the end of the input) is one error at its first line; a new
// document that interrupts it is read normally, so that one damaged line of a JSON Lines log never
// takes the valid events after it along.
import type { Json } from '../../fields/plugins/extractors/json-access.js';

export type DocumentItem =
  /** A parsed document and the lines it spans. */
  | { readonly kind: 'document'; readonly value: Json; readonly text: string; readonly firstLine: number; readonly lastLine: number }
  /** A line, or lines `line`..`lastLine` of a multi-line document, that are not JSON. */
  | { readonly kind: 'error'; readonly firstLine: number; readonly lastLine: number; readonly message: string };

interface PendingLine {
  readonly text: string;
  readonly number: number;
}

/** Bracket depth and string state of JSON text scanned so far. */
class BracketScanner {
  depth = 0;
  inString = false;
  private escaped = false;

  reset(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  scan(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b /* { */ || c === 0x5b /* [ */) this.depth++;
      else if (c === 0x7d /* } */ || c === 0x5d /* ] */) this.depth--;
    }
  }
}

function opensDocument(text: string): boolean {
  const first = text.trimStart().charCodeAt(0);
  return first === 0x7b || first === 0x5b;
}

export class DocumentSplitter {
  private pending: PendingLine[] = [];
  private pendingBytes = 0;
  /** Inside a refused oversized document: lines are scanned for its end, not kept. */
  private skipping = false;
  private readonly scanner = new BracketScanner();

  /** `maxDocumentBytes`: a multi-line document longer than this is refused (memory bound). */
  constructor(
    private readonly emit: (item: DocumentItem) => void,
    private readonly maxDocumentBytes: number,
  ) {}

  /**
   * Feeds the next line (without its line ending). `number` locates it in reports: its line
   * number, or any increasing position (the byte offset of a followed file).
   */
  push(text: string, number: number): void {
    if (this.pending.length === 0 && !this.skipping) {
      this.startLine(text, number);
      return;
    }
    // A complete document starting at column 0 while one is pending: the pending one was cut short.
    if (opensDocument(text) && !/^\s/.test(text) && isCompleteJson(text)) {
      if (this.skipping) {
        this.clearPending();
        this.startLine(text, number);
      } else {
        this.failPending('invalid JSON: the document is cut short (the next line starts a new one)', { text, number });
      }
      return;
    }
    this.scanner.scan(text);
    if (this.skipping) {
      if (this.scanner.inString || this.scanner.depth <= 0) this.clearPending();
      return;
    }
    this.pending.push({ text, number });
    this.pendingBytes += text.length + 1;
    if (this.scanner.inString) {
      this.failPending('invalid JSON: unterminated string');
      return;
    }
    if (this.scanner.depth > 0) {
      if (this.pendingBytes > this.maxDocumentBytes) this.dropOversized();
      return;
    }
    const lines = this.pending;
    const joined = lines.map((l) => l.text).join('\n');
    try {
      const value = JSON.parse(joined) as Json;
      this.clearPending();
      this.emit({ kind: 'document', value, text: joined, firstLine: lines[0]!.number, lastLine: number });
    } catch (err) {
      this.failPending(`invalid JSON: ${(err as Error).message}`);
    }
  }

  /** The input ended: a pending document is incomplete. */
  end(): void {
    if (this.skipping) this.clearPending();
    if (this.pending.length > 0) this.failPending('invalid JSON: incomplete document at the end of the input');
  }

  private startLine(text: string, number: number): void {
    if (text.trim() === '') return;
    try {
      this.emit({ kind: 'document', value: JSON.parse(text) as Json, text, firstLine: number, lastLine: number });
      return;
    } catch (err) {
      if (opensDocument(text)) {
        this.scanner.reset();
        this.scanner.scan(text);
        if (!this.scanner.inString && this.scanner.depth > 0) {
          this.pending = [{ text, number }];
          this.pendingBytes = text.length + 1;
          return;
        }
      }
      this.emit({ kind: 'error', firstLine: number, lastLine: number, message: `invalid JSON: ${(err as Error).message}` });
    }
  }

  /**
   * The pending document is an error, reported at its first line; `next`, the line that showed it
   * was cut short, is then read on its own. (The pending lines are not read again one by one: a
   * line that is a document by itself starts at column 0 and ends the pending one right away, and
   * rereading would make damaged input cost quadratic time.)
   */
  private failPending(message: string, next?: PendingLine): void {
    const first = this.pending[0]!;
    const last = this.pending[this.pending.length - 1]!;
    this.clearPending();
    this.emit({ kind: 'error', firstLine: first.number, lastLine: last.number, message });
    if (next !== undefined) this.startLine(next.text, next.number);
  }

  /** A document over the size limit is refused whole; the rest of it is skipped as it comes. */
  private dropOversized(): void {
    const first = this.pending[0]!.number;
    this.emit({ kind: 'error', firstLine: first, lastLine: first, message: `JSON document larger than ${this.maxDocumentBytes} bytes` });
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = true;
  }

  private clearPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
    this.scanner.reset();
  }
}

function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
