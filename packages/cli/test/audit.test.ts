import { describe, expect, it } from 'vitest';
import { json, latchkey } from './run.ts';
import { OWNER_EMAIL, useServer } from './server.ts';
import { sqliteOf } from '../../server/src/app.ts';

const server = useServer();

interface Entries {
  entries: Array<{ seq: number; action: string; actor: { email: string } | null; outcome: string }>;
  hasMore: boolean;
}

describe('audit', { timeout: 60_000 }, () => {
  it('lists entries with filters, newest first, in a stable JSON shape', async () => {
    const env = server.env(server.owner);
    const all = await latchkey(['audit', 'list', '--json'], { env });
    expect(all.code).toBe(0);
    const { entries, hasMore } = json<Entries>(all);
    expect(hasMore).toBe(false);
    expect(entries.map((e) => e.action)).toEqual(['login', 'createAccount']);
    expect(Object.keys(entries[0] ?? {}).sort()).toEqual(
      ['action', 'actor', 'changes', 'credentialKind', 'date', 'hash', 'id', 'ip', 'outcome', 'requestId', 'resource', 'seq', 'title', 'tokenId', 'userAgent'].sort(),
    );

    const filtered = await latchkey(['audit', 'list', '--json', '--actor', OWNER_EMAIL, '--action', 'log*', '--since', '1h', '--outcome', 'success', '--limit', '1'], { env });
    expect(json<Entries>(filtered)).toMatchObject({ entries: [{ action: 'login', actor: { email: OWNER_EMAIL }, outcome: 'SUCCESS' }], hasMore: false });

    const piped = await latchkey(['audit', 'list', '--limit', '1'], { env });
    expect(piped.stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\t${OWNER_EMAIL}\\tlogin\\tmember/\\S+\\t.+ logged in\\n$`));
    expect(piped.stderr).toContain('first 1 shown');

    const bad = await latchkey(['audit', 'list', '--since', 'yesterday'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^USAGE: --since: expected an ISO date/);
  });

  it('verify exits 0 on an intact chain and 1 with the broken link after tampering', async () => {
    const env = server.env(server.owner);
    const intact = await latchkey(['audit', 'verify'], { env });
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^OK: \d+ entries chain correctly/);

    // What an attacker with database access would do: drop the append-only triggers, edit a row.
    const sqlite = sqliteOf(server.app);
    sqlite.exec('DROP TRIGGER IF EXISTS audit_entries_no_update; DROP TRIGGER IF EXISTS audit_entries_no_delete;');
    sqlite.prepare("UPDATE audit_entries SET title = 'nothing happened' WHERE seq = 1").run();

    const broken = await latchkey(['audit', 'verify', '--json'], { env });
    expect(broken.code).toBe(1);
    expect(json(broken)).toEqual({
      ok: false,
      entries: expect.any(Number),
      headSeq: null,
      headHash: null,
      firstBrokenLink: { seq: 1, entryId: expect.any(String), reason: 'HASH_MISMATCH', detail: expect.any(String) },
    });
  });
});
