import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { bootstrapOwner, createApp, loadConfig, startServer, type App, type RunningServer } from '../../server/src/index.ts';
import { hashPassword } from '../../server/src/auth/passwords.ts';
import { accounts } from '../../server/src/db/tables.ts';
import { newId } from '../../server/src/ids.ts';
import { insertMember } from '../../server/src/store/members.ts';
import { tempDir } from './run.ts';

export const OWNER_EMAIL = 'owner@cli.test';
export const OWNER_PASSWORD = 'correct horse battery';

/** A real server for one test file; its fields are readable once beforeAll has run. */
export class TestServer {
  #started: { app: App; running: RunningServer; owner: string } | undefined;

  constructor(
    /** A directory for this file's config files and fixtures. */
    readonly dir: string,
  ) {}

  async start(): Promise<void> {
    const app = await createApp(
      { ...loadConfig({}), dbPath: join(this.dir, 'latchkey.db'), ownerEmail: OWNER_EMAIL, ownerPassword: OWNER_PASSWORD, scryptLogN: 4, lastUsedFlushMs: 0 },
      { info() {}, warn() {}, error() {} },
    );
    await bootstrapOwner(app);
    const running = await startServer(app, 0, '127.0.0.1');
    this.#started = { app, running, owner: await login(running.url, OWNER_EMAIL, OWNER_PASSWORD) };
  }

  async stop(): Promise<void> {
    await this.#started?.running.close();
  }

  #get() {
    if (!this.#started) throw new Error('the test server is not started (use it inside tests, not at collection time)');
    return this.#started;
  }

  get app(): App {
    return this.#get().app;
  }

  get url(): string {
    return this.#get().running.url;
  }

  /** The owner's session secret. */
  get owner(): string {
    return this.#get().owner;
  }

  /** The environment for a CLI run with this credential; the config path points at a file that does not exist. */
  env(token?: string): Record<string, string> {
    return {
      LATCHKEY_URL: this.url,
      LATCHKEY_CONFIG: join(this.dir, 'no-config.json'),
      ...(token ? { LATCHKEY_TOKEN: token } : {}),
    };
  }
}

/**
 * A real Latchkey server on a random loopback port, with a fresh temporary database and its
 * first owner; cheap scrypt (2^4) so logins stay fast. Started before and stopped after the file.
 */
export function useServer(): TestServer {
  const server = new TestServer(tempDir('latchkey-cli-server-'));
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  return server;
}

/** A session secret straight from the API (test setup, not what is under test). */
export async function login(url: string, email: string, password: string): Promise<string> {
  const { createClient } = await import('@latchkey/sdk');
  const { secret } = await createClient({ url }).login({ email, password });
  return secret;
}

export const MEMBER_PASSWORD = 'member password 123';

/**
 * Test fixture: a member of the first account with a base role, inserted straight into the
 * store (setup, not what is under test), and a session for them.
 */
export async function addMember(server: TestServer, role: 'reader' | 'writer' | 'admin' | 'no_access'): Promise<{ id: string; email: string; session: string }> {
  const { app } = server;
  const accountId = (await app.db.select().from(accounts).limit(1))[0]?.id;
  if (!accountId) throw new Error('no account');
  const email = `${role}-${newId()}@cli.test`;
  const now = new Date();
  const passwordHash = await hashPassword(MEMBER_PASSWORD, app.config.scryptLogN);
  const member = await app.transaction((tx) =>
    insertMember(tx, { id: newId(), accountId, email, name: role, role, status: 'active', roleAttributes: {}, passwordHash, createdAt: now, updatedAt: now }),
  );
  return { id: member.id, email, session: await login(server.url, email, MEMBER_PASSWORD) };
}
