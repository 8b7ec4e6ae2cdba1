import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { InvalidationEvent } from './caches.ts';

/**
 * Carries cache invalidations between instances (issue 15). `Caches.invalidate` applies an event
 * locally and hands it to `publish`; every OTHER instance receives it through `subscribe` and
 * applies it to its own caches. Fail closed: while `healthy` is false, events may be missed, so
 * the caller caches nothing; `onReset` fires whenever what was cached can no longer be trusted
 * (the listener went down, came back, or received a message it could not read) and the caller
 * then forgets everything it cached.
 */
export interface CacheBus {
  readonly healthy: boolean;
  /**
   * Bumped at every reset. A caller reading from the database takes it before the read and caches
   * the result only if it is unchanged (and `healthy`) after: a value read before an outage must
   * not be cached after it, since the event that made it stale may be the one that was missed.
   */
  readonly generation: number;
  publish(event: InvalidationEvent): Promise<void>;
  /** Events published by other instances; returns the unsubscribe function. */
  subscribe(handler: (event: InvalidationEvent) => void): () => void;
  onReset(listener: () => void): void;
  /** Resolves once the bus is healthy (at once when it is). */
  whenHealthy(): Promise<void>;
  close(): Promise<void>;
}

/** The wire format: the publisher's id, so an instance skips its own events (already applied). */
interface Message {
  from: string;
  event: InvalidationEvent;
}

function parseEvent(value: unknown): InvalidationEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const event = value as Record<string, unknown>;
  switch (event.kind) {
    case 'token':
      return typeof event.tokenId === 'string' ? { kind: 'token', tokenId: event.tokenId } : null;
    case 'member':
      return typeof event.memberId === 'string' ? { kind: 'member', memberId: event.memberId } : null;
    case 'session':
      return typeof event.sessionId === 'string' ? { kind: 'session', sessionId: event.sessionId } : null;
    case 'roles':
      return { kind: 'roles' };
    case 'account':
      return typeof event.accountId === 'string' ? { kind: 'account', accountId: event.accountId } : null;
    case 'project':
      return typeof event.accountId === 'string' && typeof event.projectId === 'string'
        ? { kind: 'project', accountId: event.accountId, projectId: event.projectId }
        : null;
    default:
      return null;
  }
}

/** Handlers, reset listeners and health waiters: the part both implementations share. */
abstract class BusBase implements CacheBus {
  protected readonly id = randomUUID();
  private readonly handlers = new Set<(event: InvalidationEvent) => void>();
  private readonly resetListeners: Array<() => void> = [];
  private waiters: Array<() => void> = [];
  private resets = 0;
  abstract readonly healthy: boolean;

  get generation(): number {
    return this.resets;
  }
  abstract publish(event: InvalidationEvent): Promise<void>;
  abstract close(): Promise<void>;

  subscribe(handler: (event: InvalidationEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  whenHealthy(): Promise<void> {
    if (this.healthy) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  protected deliver(message: Message): void {
    if (message.from === this.id) return;
    for (const handler of this.handlers) {
      try {
        handler(message.event);
      } catch (error) {
        console.error('latchkey: cache invalidation handler failed:', error);
      }
    }
  }

  protected reset(): void {
    this.resets += 1;
    for (const listener of this.resetListeners) listener();
  }

  protected becameHealthy(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Instances in one process (SQLite, tests): a bus delivers to every other bus on the same hub. */
export class InProcessHub {
  readonly buses = new Set<InProcessCacheBus>();
}

const defaultHub = new InProcessHub();

export class InProcessCacheBus extends BusBase {
  readonly healthy = true;

  constructor(private readonly hub: InProcessHub = defaultHub) {
    super();
    hub.buses.add(this);
  }

  async publish(event: InvalidationEvent): Promise<void> {
    const message: Message = { from: this.id, event };
    for (const bus of this.hub.buses) bus.deliver(message);
  }

  async close(): Promise<void> {
    this.hub.buses.delete(this);
  }
}

export interface PgCacheBusOptions {
  /** The NOTIFY channel; notifications are scoped to the database, so one name serves every deployment. */
  channel?: string;
  /** Reconnection delay: doubles from `minDelayMs` up to `maxDelayMs`, with jitter. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** How often the listener connection is checked; a silent network failure shows up within this. */
  heartbeatMs?: number;
}

export const DEFAULT_CHANNEL = 'latchkey_invalidate';

/**
 * PostgreSQL LISTEN/NOTIFY. `publish` goes through the shared pool (`pg_notify`; inside a
 * transaction, PostgreSQL delivers it only on commit); the listener holds a dedicated connection
 * of its own, since a pooled one would be handed to queries and lose its LISTEN.
 */
export class PgCacheBus extends BusBase {
  private listener: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly channel: string;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly heartbeatMs: number;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    options: PgCacheBusOptions = {},
  ) {
    super();
    this.channel = options.channel ?? DEFAULT_CHANNEL;
    this.minDelayMs = options.minDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    void this.connect();
  }

  get healthy(): boolean {
    return this.listening && !this.closed;
  }

  /** The server process id of the listener connection (what `pg_terminate_backend` takes), if connected. */
  get listenerPid(): number | null {
    const pid = (this.listener as (pg.Client & { processID?: number }) | null)?.processID;
    return this.listening && typeof pid === 'number' ? pid : null;
  }

  async publish(event: InvalidationEvent): Promise<void> {
    const message: Message = { from: this.id, event };
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify(message)]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const listener = this.listener;
    this.listener = null;
    this.listening = false;
    if (listener) await listener.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, query_timeout: this.heartbeatMs });
    this.listener = client;
    // 'error' and 'end' both mean the LISTEN is gone; whichever comes first takes the bus down.
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (notification) => {
      if (notification.channel === this.channel) this.received(notification.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch {
      this.lost(client);
      return;
    }
    if (this.listener !== client || this.closed) return;
    this.attempt = 0;
    this.listening = true;
    // Anything cached while down may have missed an event: forget it before caching again.
    this.reset();
    this.becameHealthy();
    this.heartbeatTimer = setInterval(() => {
      client.query('SELECT 1').catch(() => this.lost(client));
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private lost(client: pg.Client): void {
    if (this.listener !== client) return; // already handled
    this.listener = null;
    const wasListening = this.listening;
    this.listening = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    if (wasListening) this.reset();
    const delay = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay / 2 + Math.random() * (delay / 2));
    this.retryTimer.unref();
  }

  private received(payload: string | undefined): void {
    let message: Message | null = null;
    try {
      const parsed = JSON.parse(payload ?? '') as { from?: unknown; event?: unknown };
      const event = parseEvent(parsed.event);
      if (typeof parsed.from === 'string' && event) message = { from: parsed.from, event };
    } catch {
      message = null;
    }
    if (message) this.deliver(message);
    else {
      // Not understood (another version?): it may have invalidated anything.
      console.error('latchkey: unreadable cache invalidation message; dropping every cache');
      this.reset();
    }
  }
}
