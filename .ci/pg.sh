#!/usr/bin/env bash
# The PostgreSQL and Redis tests (issue 15): packages/server/test/pg/ against the machine's
# PostgreSQL 15 (127.0.0.1:5432, trust authentication) and Redis (127.0.0.1:6379). Starts either
# server when it is down; fails when it cannot, since these tests are never silently skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

wait_for() { # wait_for <what> <command...>: up to 30 s
  local what=$1
  shift
  for _ in $(seq 1 30); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$what is not reachable" >&2
  return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
wait_for "PostgreSQL at 127.0.0.1:5432" pg_isready -h 127.0.0.1 -p 5432 -q
psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SELECT version()'

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes
fi
wait_for "Redis at 127.0.0.1:6379" redis-cli -h 127.0.0.1 -p 6379 ping
echo "redis $(redis-cli -h 127.0.0.1 -p 6379 info server | grep -m1 redis_version | tr -d '\r')"

# The committed PostgreSQL migrations must match src/db/pg/schema (which test/pg/schema.test.ts
# holds to the SQLite schema): generating again must produce nothing.
(cd packages/server && pnpm exec drizzle-kit generate --config drizzle.pg.config.ts)
if [ -n "$(git status --porcelain -- packages/server/src/db/pg/migrations)" ]; then
  echo "packages/server/src/db/pg/migrations is stale: run pnpm --filter @latchkey/server db:generate:pg and commit" >&2
  git status --porcelain -- packages/server/src/db/pg/migrations >&2
  exit 1
fi

export LATCHKEY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
export LATCHKEY_TEST_REDIS_URL=redis://127.0.0.1:6379
pnpm vitest run packages/server/test/pg/

# The server's whole suite again, on PostgreSQL: every test server gets a database of its own
# (test/backend.ts); the tests that read the SQLite file itself are marked and skipped there.
LATCHKEY_TEST_BACKEND=postgres pnpm vitest run packages/server/test --exclude 'packages/server/test/pg/**'
