// K8sAuditSource: the `k8s_audit` event source opened from the k8saudit plugin's open_params and
// init_config. It is an async iterator of audit events, numbered from 1 in delivery order, that
// ends when a read file is exhausted or when stop() is called (a webhook or a followed file runs
// until then). Inputs it cannot use are counted by reason and logged (`k8saudit: <where>: <why>`),
// never fatal: a bad line, body or event costs that line, body or event only.
//
//   const source = await K8sAuditSource.open({ openParams: 'http://:9765/k8s-audit' });
//   for await (const evt of source) { ... }          // elsewhere: await source.stop()
import { hostname as osHostname } from 'node:os';
import { log } from '../../util/log.js';
import {
  K8SAUDIT_INIT_DEFAULTS, K8sAuditOpenError, parseOpenParams,
  type K8sAuditInitConfig, type K8sAuditOpenTarget,
} from './config.js';
import { createK8sAuditSourceDefinition, type K8sAuditSourceDefinition } from './definition.js';
import { DocumentSplitter, type DocumentItem } from './documents.js';
import { K8sAuditStream, type K8sAuditEvent } from './event.js';
import { auditFilesOf, FileFollower, readFileLines, type FollowedLines } from './files.js';
import { auditEventsOf, parseAuditPayload, REJECT_REASONS, type PayloadProblem, type RejectReason } from './parse.js';
import type { OpenedPluginSource } from '../plugins.js';
import { EventQueue } from './queue.js';
import { K8sAuditWebhook, type WebhookVerdict } from './webhook.js';

export interface K8sAuditSourceOptions {
  /** The plugin's open_params: webhook URL, file:// URL to follow, or a file or directory to read. */
  readonly openParams: string;
  /** The plugin's init_config, already checked (see plugins.ts); missing keys take defaults. */
  readonly initConfig?: Partial<K8sAuditInitConfig>;
  /** evt.hostname; default FALCO_HOSTNAME from the environment, else the host's name. */
  readonly hostname?: string;
  /** Events waiting for the consumer at which the webhook and the follower wait (default 16384). */
  readonly queueLimit?: number;
  /** The field definitions rules were compiled with; default: a new one with every field. */
  readonly definition?: K8sAuditSourceDefinition;
}

/** Why events or inputs were refused, plus what the source took in. */
export interface K8sAuditCounters {
  /** Inputs read: JSON documents (lines) of files, webhook requests. */
  readonly inputs: number;
  /** Audit events accepted for the rules. */
  readonly events: number;
  /** Refused inputs (a line, a request) or events (one of a list), by reason. */
  readonly rejected: Readonly<Record<RejectReason | 'source_stopped', number>>;
}

/** Logged refusals per reason before further ones are only counted. */
const LOGGED_PER_REASON = 100;

const DEFAULT_QUEUE_LIMIT = 16384;

export class K8sAuditSource implements OpenedPluginSource<K8sAuditEvent> {
  readonly stream: K8sAuditStream;
  readonly config: K8sAuditInitConfig;
  /** What the rules engine needs to know about these events (fields with extractors). */
  readonly definition: K8sAuditSourceDefinition;
  private inputs = 0;
  private accepted = 0;
  private readonly rejected: Record<RejectReason | 'source_stopped', number>;
  private readonly logged = new Map<string, number>();
  private delivered = 0;
  private stopping = false;
  /** Read mode: events come from this generator; other modes: from the queue. */
  private generator: AsyncGenerator<K8sAuditEvent> | undefined;
  private readonly queue: EventQueue<K8sAuditEvent>;
  private webhook: K8sAuditWebhook | undefined;
  private follower: FileFollower | undefined;
  /** Follow mode: the followed file, and the lines not yet forming a document. */
  private followedPath = '';
  private followSplitter: DocumentSplitter | undefined;

  private constructor(readonly target: K8sAuditOpenTarget, options: K8sAuditSourceOptions) {
    this.config = { ...K8SAUDIT_INIT_DEFAULTS, ...definedOnly(options.initConfig ?? {}) };
    this.stream = new K8sAuditStream(options.hostname ?? (process.env.FALCO_HOSTNAME || osHostname()));
    this.queue = new EventQueue(options.queueLimit ?? DEFAULT_QUEUE_LIMIT);
    this.definition = options.definition ?? createK8sAuditSourceDefinition();
    this.rejected = Object.fromEntries([...REJECT_REASONS, 'source_stopped'].map((r) => [r, 0])) as Record<RejectReason | 'source_stopped', number>;
  }

  /**
   * Opens the source: checks the files exist, or starts listening (webhook), or starts following.
   * Throws K8sAuditOpenError with a message for the user when that is not possible.
   */
  static async open(options: K8sAuditSourceOptions): Promise<K8sAuditSource> {
    const source = new K8sAuditSource(parseOpenParams(options.openParams), options);
    await source.start();
    return source;
  }

  /** The webhook's URL with its actual port (webhook mode only). */
  get webhookUrl(): string | undefined {
    return this.webhook?.url;
  }

  get counters(): K8sAuditCounters {
    return { inputs: this.inputs, events: this.accepted, rejected: { ...this.rejected } };
  }

  /** Events accepted but not yet taken by the consumer (webhook and follow modes). */
  get pending(): number {
    return this.queue.size;
  }

  [Symbol.asyncIterator](): AsyncIterator<K8sAuditEvent> {
    return { next: () => this.next() };
  }

  async next(): Promise<IteratorResult<K8sAuditEvent>> {
    const result = this.generator !== undefined ? await this.generator.next() : await this.queue.next();
    if (result.done) return { value: undefined, done: true };
    const evt = result.value;
    evt.num = ++this.delivered;
    if (this.delivered === 1) this.stream.firstEventTs = evt.ts;
    return { value: evt, done: false };
  }

  /**
   * Stops producing: the webhook stops listening (requests in progress are answered), a followed
   * file is let go, a read file stops at the current line. Events already accepted are still
   * delivered by the iterator, which then ends.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const webhook = this.webhook;
    const follower = this.follower;
    this.queue.close();
    await Promise.all([webhook?.stop(), follower?.stop()]);
    if (this.generator !== undefined) {
      // Ends the generator (its finally blocks close the file) unless a read is in progress,
      // in which case it stops at its next check.
      void this.generator.return(undefined).catch(() => undefined);
    }
  }

  private async start(): Promise<void> {
    const target = this.target;
    switch (target.kind) {
      case 'read': {
        let files: string[];
        try {
          files = await auditFilesOf(target.path);
        } catch (err) {
          throw new K8sAuditOpenError(`cannot open '${target.path}': ${systemReason(err)}`);
        }
        this.generator = this.readFiles(files);
        return;
      }
      case 'follow': {
        this.followedPath = target.path;
        this.followSplitter = new DocumentSplitter((item) => this.followedItem(item), this.config.webhookMaxBatchSize);
        const follower = new FileFollower(target.path, {
          lines: (batch) => this.followedLines(batch),
          notice: (message, level) => log[level](`k8saudit: ${message}`),
        });
        try {
          await follower.start();
        } catch (err) {
          throw new K8sAuditOpenError(`cannot follow '${target.path}': ${systemReason(err)}`);
        }
        this.follower = follower;
        log.info(`k8saudit: following ${target.path} for new audit events`);
        return;
      }
      case 'webhook': {
        const webhook = new K8sAuditWebhook({
          host: target.host,
          port: target.port,
          path: target.path,
          ...(target.tls ? { tlsCertificateFile: this.config.sslCertificate } : {}),
          maxBodyBytes: this.config.webhookMaxBatchSize,
          deliver: (body, bytes, origin) => this.webhookBody(body, bytes, origin),
          refuse: (reason, message, origin) => {
            this.inputs++;
            this.refuse(reason, message, origin);
          },
        });
        await webhook.start();
        this.webhook = webhook;
        log.info(`k8saudit: listening for audit events on ${webhook.url}`);
        return;
      }
    }
  }

  // ------------------------------------------------------------------ read mode

  private async *readFiles(files: readonly string[]): AsyncGenerator<K8sAuditEvent> {
    for (const file of files) {
      const ready: K8sAuditEvent[] = [];
      const splitter = new DocumentSplitter((item) => this.fileItem(item, file, ready), this.config.webhookMaxBatchSize);
      try {
        for await (const batch of readFileLines(file, () => this.stopping)) {
          for (let i = 0; i < batch.lines.length; i++) splitter.push(batch.lines[i]!, batch.firstLine + i);
          for (const evt of ready) yield evt;
          ready.length = 0;
          if (this.stopping) return;
        }
      } catch (err) {
        log.error(`k8saudit: reading ${file} failed: ${systemReason(err)}`);
      }
      splitter.end();
      for (const evt of ready) yield evt;
      if (this.stopping) return;
    }
  }

  private fileItem(item: DocumentItem, file: string, ready: K8sAuditEvent[]): void {
    this.inputs++;
    const where = item.lastLine > item.firstLine ? `${file}:${item.firstLine}-${item.lastLine}` : `${file}:${item.firstLine}`;
    if (item.kind === 'error') {
      this.refuse('invalid_json', item.message, where);
      return;
    }
    const parsed = auditEventsOf(item.value, this.stream, this.config.maxEventSize, utf8Length(item.text, this.config.maxEventSize));
    this.refuseAll(parsed.problems, where);
    for (const evt of parsed.events) ready.push(evt);
    this.accepted += parsed.events.length;
  }

  // ------------------------------------------------------------------ follow mode

  private async followedLines(batch: FollowedLines): Promise<void> {
    for (let i = 0; i < batch.lines.length; i++) this.followSplitter!.push(batch.lines[i]!, batch.offsets[i]!);
    await this.queue.waitForRoom();
  }

  private followedItem(item: DocumentItem): void {
    this.inputs++;
    const where = `${this.followedPath} at byte ${item.firstLine}`;
    if (item.kind === 'error') {
      this.refuse('invalid_json', item.message, where);
      return;
    }
    const parsed = auditEventsOf(item.value, this.stream, this.config.maxEventSize, utf8Length(item.text, this.config.maxEventSize));
    this.refuseAll(parsed.problems, where);
    this.enqueue(parsed.events, where);
  }

  // ------------------------------------------------------------------ webhook mode

  private async webhookBody(body: string, byteLength: number, origin: string): Promise<WebhookVerdict> {
    this.inputs++;
    if (!(await this.queue.waitForRoom())) {
      this.refuse('source_stopped', 'the k8s_audit source is stopping; request refused', origin);
      return { status: 503, message: 'the k8s_audit source is stopping' };
    }
    const parsed = parseAuditPayload(body, this.stream, this.config.maxEventSize, byteLength);
    this.refuseAll(parsed.problems, origin);
    this.enqueue(parsed.events, origin);
    if (parsed.events.length > 0 || parsed.problems.length === 0) return { status: 200 };
    const tooLarge = parsed.problems.find((p) => p.reason === 'event_too_large');
    if (tooLarge) return { status: 413, message: tooLarge.message };
    return { status: 400, message: `bad request: ${parsed.problems[0]!.message}` };
  }

  // ------------------------------------------------------------------ shared

  private enqueue(events: readonly K8sAuditEvent[], origin: string): void {
    if (events.length === 0) return;
    if (this.queue.closed) {
      this.refuse('source_stopped', `${events.length} event(s) arrived after the source stopped`, origin, events.length);
      return;
    }
    for (const evt of events) this.queue.push(evt);
    this.accepted += events.length;
  }

  private refuseAll(problems: readonly PayloadProblem[], origin: string): void {
    for (const p of problems) this.refuse(p.reason, p.message, origin);
  }

  /** Counts a refusal and logs it, up to LOGGED_PER_REASON times per reason. */
  private refuse(reason: RejectReason | 'source_stopped', message: string, origin: string, count = 1): void {
    this.rejected[reason] += count;
    const logged = this.logged.get(reason) ?? 0;
    if (logged > LOGGED_PER_REASON) return;
    this.logged.set(reason, logged + 1);
    if (logged === LOGGED_PER_REASON) {
      log.warning(`k8saudit: more inputs refused for the same reason (${reason}); they are counted, no longer logged`);
      return;
    }
    log.error(`k8saudit: ${origin}: ${message}`);
  }
}

/**
 * The UTF-8 size of a text when it may exceed `limit`; its length (a lower bound) otherwise, which
 * is enough to know that it does not (a UTF-16 unit takes at most 3 bytes).
 */
function utf8Length(text: string, limit: number): number {
  return text.length * 3 <= limit ? text.length : Buffer.byteLength(text);
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `no such file or directory` style reasons from system errors. */
function systemReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ENOTDIR': return 'not a directory';
    default: return e.code ?? e.message;
  }
}
