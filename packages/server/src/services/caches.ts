import { PrincipalCache, type CompiledPrincipal } from '@latchkey/policy';
import type { AccountRow } from '../db/schema/accounts.ts';
import type { MemberRow, SessionRow } from '../db/schema/members.ts';
import type { EnvironmentRow, FlagRow, ProjectRow } from '../db/schema/projects.ts';
import type { TokenRow, TokenSecretRow } from '../db/schema/tokens.ts';
import type { CacheBus } from './cache-bus.ts';

/** A credential found by its digest, as the database had it when it was cached. */
export type CachedCredential =
  | { kind: 'session'; session: SessionRow; member: MemberRow }
  | { kind: 'token'; secret: TokenSecretRow; token: TokenRow; owner: MemberRow };

/**
 * What changed, so caches can forget what depended on it. This is the ONE entry point for
 * invalidation: every event is applied here and published to the other instances.
 */
export type InvalidationEvent =
  | { kind: 'token'; tokenId: string }
  | { kind: 'member'; memberId: string }
  | { kind: 'session'; sessionId: string }
  | { kind: 'roles' }
  /** The account row (its settings). */
  | { kind: 'account'; accountId: string }
  /** A project, its environments, flags or flag states. */
  | { kind: 'project'; accountId: string; projectId: string };

/** What is cached of one project besides its row: each part loaded on its own. */
export interface CachedProjectRows {
  environments?: EnvironmentRow[];
  flags?: FlagRow[];
  /** Flag states by `flagId environmentId`; false also when there is no row (off). */
  states: Map<string, boolean>;
}

/**
 * Taken before a database read whose result is to be cached, handed back with it: the result is
 * kept only if nothing was invalidated meanwhile (an event that arrived during the read may be
 * the one that made it stale) and the bus to the other instances is up.
 */
export type CacheTicket = number;

const MAX_CREDENTIALS = 100_000;
const MAX_ROWS = 10_000;

/** A bounded map: past `max` entries the oldest goes (Map iteration is insertion order). */
function putBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}

/**
 * The server's caches of credentials and compiled principals. With a bus (several instances),
 * an event is applied here and published; events from the others are applied without being
 * published again. Fail closed: while the bus is down nothing is cached, and when it resets
 * (down, back up, or an unreadable message) everything cached is forgotten.
 */
export class Caches {
  readonly principals = new PrincipalCache<string>(50_000);
  private readonly credentials = new Map<string, CachedCredential>();
  /** Read-mostly rows of the request path (services/cached-reads.ts). */
  private readonly accounts = new Map<string, AccountRow>();
  private readonly projectsByKey = new Map<string, ProjectRow>();
  private readonly projectRows = new Map<string, CachedProjectRows>();
  private readonly listeners: Array<(event: InvalidationEvent) => void> = [];
  private version = 0;
  private readonly publishing = new Set<Promise<void>>();

  private readonly sweep: NodeJS.Timeout | undefined;

  /**
   * With a bus, everything cached is also forgotten every `maxAgeMs` (default 30 s): invalidations
   * are published after commit, so an instance that dies between the two leaves the others stale,
   * and this bounds how long.
   */
  constructor(
    private readonly bus?: CacheBus,
    private readonly onPublishError: (error: unknown) => void = () => undefined,
    maxAgeMs = 30_000,
  ) {
    bus?.subscribe((event) => this.apply(event));
    bus?.onReset(() => this.clear());
    if (bus && maxAgeMs > 0) {
      this.sweep = setInterval(() => this.clear(), maxAgeMs);
      this.sweep.unref();
    }
  }

  /** Stops the periodic sweep (the bus is the caller's to close). */
  close(): void {
    if (this.sweep) clearInterval(this.sweep);
  }

  ticket(): CacheTicket {
    return this.version;
  }

  getCredential(digest: string): CachedCredential | undefined {
    return this.credentials.get(digest);
  }

  putCredential(digest: string, credential: CachedCredential, ticket: CacheTicket): void {
    if (!this.mayCache(ticket)) return;
    if (this.credentials.size >= MAX_CREDENTIALS) {
      // Map iteration order is insertion order: drop the oldest entry.
      const oldest = this.credentials.keys().next().value;
      if (oldest !== undefined) this.credentials.delete(oldest);
    }
    this.credentials.set(digest, credential);
  }

  getPrincipal(key: string): CompiledPrincipal | undefined {
    return this.principals.lookup(key);
  }

  putPrincipal(key: string, principal: CompiledPrincipal, ticket: CacheTicket): void {
    if (this.mayCache(ticket)) this.principals.set(key, principal);
  }

  getAccount(accountId: string): AccountRow | undefined {
    return this.accounts.get(accountId);
  }

  putAccount(row: AccountRow, ticket: CacheTicket): void {
    if (this.mayCache(ticket)) putBounded(this.accounts, row.id, row, MAX_ROWS);
  }

  getProjectByKey(accountId: string, key: string): ProjectRow | undefined {
    return this.projectsByKey.get(`${accountId} ${key}`);
  }

  putProjectByKey(row: ProjectRow, ticket: CacheTicket): void {
    if (this.mayCache(ticket)) putBounded(this.projectsByKey, `${row.accountId} ${row.key}`, row, MAX_ROWS);
  }

  /** What is cached of a project's environments, flags and states (undefined: nothing). */
  getProjectRows(projectId: string): CachedProjectRows | undefined {
    return this.projectRows.get(projectId);
  }

  /** Adds to what is cached of a project (environments, flags, or more states). */
  putProjectRows(projectId: string, rows: Partial<CachedProjectRows>, ticket: CacheTicket): void {
    if (!this.mayCache(ticket)) return;
    const cached = this.projectRows.get(projectId) ?? { states: new Map<string, boolean>() };
    if (rows.environments) cached.environments = rows.environments;
    if (rows.flags) cached.flags = rows.flags;
    for (const [pair, on] of rows.states ?? []) cached.states.set(pair, on);
    putBounded(this.projectRows, projectId, cached, MAX_ROWS);
  }

  /** Subscribe to invalidations made on this instance (tests, diagnostics). */
  onInvalidate(listener: (event: InvalidationEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Forget what depended on `event`, here and on every other instance. */
  invalidate(event: InvalidationEvent): void {
    this.apply(event);
    for (const listener of this.listeners) listener(event);
    // A failed publish means the others may keep a stale entry: their bus resets when the
    // connection is lost, and the error is reported; the change itself is committed already.
    if (!this.bus) return;
    const published = this.bus.publish(event).catch(this.onPublishError);
    this.publishing.add(published);
    void published.finally(() => this.publishing.delete(published));
  }

  /** Resolves once every invalidation made so far has been handed to the other instances (before closing). */
  async published(): Promise<void> {
    await Promise.all([...this.publishing]);
  }

  /** Forget everything (a bus reset; also the admin CLI's changes, which another process made). */
  clear(): void {
    this.version += 1;
    this.principals.clear();
    this.credentials.clear();
    this.accounts.clear();
    this.projectsByKey.clear();
    this.projectRows.clear();
  }

  private mayCache(ticket: CacheTicket): boolean {
    return ticket === this.version && (this.bus?.healthy ?? true);
  }

  private apply(event: InvalidationEvent): void {
    this.version += 1;
    switch (event.kind) {
      case 'token':
        this.principals.invalidate(`token:${event.tokenId}`);
        this.dropCredentials((c) => c.kind === 'token' && c.token.id === event.tokenId);
        break;
      case 'member':
        // Personal tokens take their owner's role attributes, so every compiled policy may depend on the member.
        this.principals.clear();
        this.dropCredentials((c) => (c.kind === 'token' ? c.owner.id : c.member.id) === event.memberId);
        break;
      case 'session':
        this.dropCredentials((c) => c.kind === 'session' && c.session.id === event.sessionId);
        break;
      case 'roles':
        this.principals.clear();
        break;
      case 'account':
        this.accounts.delete(event.accountId);
        break;
      case 'project':
        // A project's key is how it is looked up: drop every entry of the project, whatever its key was.
        for (const [key, project] of this.projectsByKey) if (project.id === event.projectId) this.projectsByKey.delete(key);
        this.projectRows.delete(event.projectId);
        break;
    }
  }

  private dropCredentials(matches: (c: CachedCredential) => boolean): void {
    for (const [digest, credential] of this.credentials) {
      if (matches(credential)) this.credentials.delete(digest);
    }
  }
}
