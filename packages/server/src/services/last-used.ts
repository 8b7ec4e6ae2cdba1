import type { Database } from '../db/client.ts';
import { recordSessionLastUsed } from '../store/sessions.ts';
import { recordTokenLastUsed } from '../store/tokens.ts';

/**
 * Coalesces "last used" dates in memory and writes them in one transaction per interval, so an
 * authenticated request never waits on a database write: at most one row write per credential per flush.
 */
export class LastUsedRecorder {
  private readonly pendingTokens = new Map<string, Date>();
  private readonly pendingSessions = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;
  /** Rows written so far (the benchmark reads it to measure write amplification). */
  writes = 0;

  constructor(
    private readonly database: Pick<Database, 'transaction'>,
    private readonly intervalMs: number,
    /** A flush that failed (read-only database, full disk): its dates are kept for the next one. */
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.flushOrKeep(), intervalMs);
      this.timer.unref();
    }
  }

  token(tokenId: string, at: Date): void {
    this.pendingTokens.set(tokenId, at);
  }

  session(sessionId: string, at: Date): void {
    this.pendingSessions.set(sessionId, at);
  }

  /** The latest unflushed date for a token, so reads are current before the flush. */
  pendingToken(tokenId: string): Date | undefined {
    return this.pendingTokens.get(tokenId);
  }

  async flush(): Promise<void> {
    if (this.pendingTokens.size === 0 && this.pendingSessions.size === 0) return;
    const tokenDates = [...this.pendingTokens];
    const sessionDates = [...this.pendingSessions];
    this.pendingTokens.clear();
    this.pendingSessions.clear();
    try {
      await this.database.transaction(async (tx) => {
        for (const [id, at] of tokenDates) await recordTokenLastUsed(tx, id, at);
        for (const [id, at] of sessionDates) await recordSessionLastUsed(tx, id, at);
      });
    } catch (error) {
      // Nothing was written (one transaction): keep the dates for the next flush, unless newer ones came meanwhile.
      for (const [id, at] of tokenDates) if (!this.pendingTokens.has(id)) this.pendingTokens.set(id, at);
      for (const [id, at] of sessionDates) if (!this.pendingSessions.has(id)) this.pendingSessions.set(id, at);
      throw error;
    }
    this.writes += tokenDates.length + sessionDates.length;
  }

  /** The timer's flush: a storage fault must never crash the process (the dates wait for the next flush). */
  private async flushOrKeep(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.onError(error);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flushOrKeep();
  }
}
