#!/usr/bin/env bash
# The SDK and the CLI as a user outside the repository gets them: pack both, install the tarballs
# with npm into scratch projects in a temporary directory, and use them there against a real
# Latchkey server started from this workspace. Needs the workspace installed (pnpm install).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIXTURES=$ROOT/.ci/packages
WORK=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-packages.XXXXXX")
SERVER_PID=
cleanup() {
  status=$?
  if [[ -n $SERVER_PID ]]; then kill -TERM -- "-$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [[ $status -ne 0 && -f $WORK/server.log ]]; then echo "--- server log"; cat "$WORK/server.log"; fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
export npm_config_loglevel=error npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

step "pack @latchkey/sdk and @latchkey/cli"
(cd "$ROOT/packages/sdk" && pnpm pack --pack-destination "$WORK" >/dev/null)
(cd "$ROOT/packages/cli" && pnpm pack --pack-destination "$WORK" >/dev/null)
SDK_TGZ=$(ls "$WORK"/latchkey-sdk-*.tgz)
CLI_TGZ=$(ls "$WORK"/latchkey-cli-*.tgz)
ls -l "$SDK_TGZ" "$CLI_TGZ" | awk '{ print $5, $NF }'

step "pnpm start in the workspace (temporary database, a free port)"
PASSWORD="ci-owner-$RANDOM-$RANDOM"
# Job control gives the server its own process group, which the last step sends Ctrl-C (SIGINT) to.
set -m
(cd "$ROOT" && LATCHKEY_DB="$WORK/latchkey.db" LATCHKEY_OWNER_PASSWORD="$PASSWORD" LATCHKEY_SCRYPT_LOG_N=12 \
  HOST=127.0.0.1 PORT=0 exec pnpm start) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
set +m
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^Latchkey listening on \(http[^ ]*\).*/\1/p' "$WORK/server.log")
  [[ -n $URL ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited"; exit 1; }
  sleep 0.2
done
[[ -n $URL ]] || { echo "the server did not start"; exit 1; }
echo "$URL"
export LATCHKEY_URL=$URL LATCHKEY_PASSWORD=$PASSWORD

step "scratch project: npm install the SDK tarball, TypeScript, Vite, urql, React"
APP=$WORK/app
mkdir -p "$APP"
cp "$FIXTURES"/* "$APP"/
cd "$APP"
printf '{ "name": "scratch", "private": true, "type": "module" }\n' > package.json
npm install --no-package-lock "$SDK_TGZ" typescript@~5.9 @types/node@20 vite@7 urql@5 react@19 react-dom@19 @types/react@19 @types/react-dom@19 tsx@4 >/dev/null
npm ls --depth=0 | sed 1d

step "plain node: ESM import and CommonJS require"
node esm.mjs
node cjs.cjs

step "tsc --noEmit under nodenext, node16 and bundler (strict, exactOptionalPropertyTypes, no skipLibCheck)"
for mode in nodenext node16 bundler; do
  npx tsc -p "tsconfig.$mode.json"
  echo "tsc $mode: ok"
done

step "Vite production builds: tree-shaking"
node vite-sizes.mjs

step "the CLI: npm i -g of its tarball (no dependencies, nothing native), run from another directory"
# A global install into a prefix of its own, so the machine's global packages are left alone.
export npm_config_prefix=$WORK/global
npm install -g "$CLI_TGZ" >/dev/null
export PATH=$WORK/global/bin:$PATH
CLI_DIR=$WORK/global/lib/node_modules/@latchkey/cli
[[ ! -e $CLI_DIR/node_modules ]] || { echo "the CLI installed dependencies: $(ls "$CLI_DIR/node_modules")"; exit 1; }
[[ -z $(find "$CLI_DIR" -name '*.node') ]] || { echo "the CLI ships a native module"; exit 1; }
mkdir -p "$WORK/elsewhere" && cd "$WORK/elsewhere"
echo "latchkey is $(command -v latchkey)"
CLI_VERSION=$(node -p "require('$ROOT/packages/cli/package.json').version")
[[ $(latchkey --version) == "$CLI_VERSION" ]] || { echo "latchkey --version: $(latchkey --version), expected $CLI_VERSION"; exit 1; }
echo "latchkey --version: $CLI_VERSION"

step "latchkey: login → tokens create → check → reset → delete"
export LATCHKEY_CONFIG=$WORK/home/latchkey.json
unset LATCHKEY_URL
printf '%s\n' "$PASSWORD" | latchkey login --url "$URL" --email owner@localhost --password-stdin
# The saved login is for 127.0.0.1; the same server named localhost finds it.
export LATCHKEY_URL=${URL/127.0.0.1/localhost}
secret=$(latchkey tokens create --name ci-smoke --role READER --expires-in 1d --quiet)
LATCHKEY_TOKEN=$secret latchkey whoami
latchkey tokens list
latchkey check viewProject proj/web --token ci-smoke
status=0; latchkey check deleteProject proj/web --token ci-smoke >/dev/null || status=$?
[[ $status -eq 1 ]] || { echo "check of a refused action: exit $status, expected 1"; exit 1; }
rotated=$(latchkey tokens reset ci-smoke --quiet)
status=0; LATCHKEY_TOKEN=$secret latchkey whoami >/dev/null 2>&1 || status=$?
[[ $status -eq 3 ]] || { echo "the reset-away secret: exit $status, expected 3"; exit 1; }
latchkey tokens delete ci-smoke --yes
status=0; LATCHKEY_TOKEN=$rotated latchkey whoami >/dev/null 2>&1 || status=$?
[[ $status -eq 3 ]] || { echo "the deleted token's secret: exit $status, expected 3"; exit 1; }
status=0; LATCHKEY_TOKEN='lkp_…' latchkey whoami 2>"$WORK/placeholder.err" || status=$?
[[ $status -eq 3 ]] && grep -q 'not a Latchkey secret' "$WORK/placeholder.err" || { echo "a placeholder secret was not refused offline"; exit 1; }
echo "login, create, check, reset, delete: ok"

step "npx of the tarball, in an empty directory"
mkdir -p "$WORK/npx" && cd "$WORK/npx"
[[ $(npx --yes --package "$CLI_TGZ" latchkey --version) == "$CLI_VERSION" ]] || { echo "npx latchkey --version failed"; exit 1; }
echo "npx latchkey --version: $CLI_VERSION"

step "docs/for-scripts.md, followed literally: its bash script with the CLI, its TypeScript with the SDK"
export LATCHKEY_TOKEN
# As the docs say: a writer token made with the CLI (it outlives the tokens the scripts make).
LATCHKEY_TOKEN=$(latchkey tokens create --name scripts --role writer --expires-in 30d --quiet)
node "$FIXTURES/docs-block.mjs" "$ROOT/docs/for-scripts.md" rotate-demo.sh > "$WORK/rotate-demo.sh"
bash "$WORK/rotate-demo.sh"
cd "$APP"
node "$FIXTURES/docs-block.mjs" "$ROOT/docs/for-scripts.md" rotate-demo.ts > rotate-demo.ts
npx tsx rotate-demo.ts
unset LATCHKEY_TOKEN

step "Ctrl-C on pnpm start: a clean shutdown message, exit 0, no ELIFECYCLE"
kill -INT -- "-$SERVER_PID"
status=0; wait "$SERVER_PID" || status=$?
SERVER_PID=
tail -n 2 "$WORK/server.log"
[[ $status -eq 0 ]] || { echo "pnpm start exited $status after Ctrl-C"; cat "$WORK/server.log"; exit 1; }
grep -q 'Latchkey stopped cleanly' "$WORK/server.log" || { echo "no shutdown message"; exit 1; }
! grep -q 'ELIFECYCLE' "$WORK/server.log" || { echo "pnpm reported a failure"; cat "$WORK/server.log"; exit 1; }

step "packages: ok"
