// Plain Node, CommonJS: require() gets the CommonJS build.
const assert = require('node:assert/strict');
const { createClient, LatchkeyError, types } = require('@latchkey/sdk');
const { recognizeSecret } = require('@latchkey/sdk/secrets');

(async () => {
  const lk = createClient({ url: process.env.LATCHKEY_URL });
  const { secret } = await lk.login({ email: 'owner@localhost', password: process.env.LATCHKEY_PASSWORD });
  assert.equal(recognizeSecret(secret), 'session');
  const me = await lk.withToken(secret).viewer();
  assert.equal(me.member.role, 'OWNER');
  assert.equal(types.ViewerDocument.kind, 'Document');
  const wrong = await lk.login({ email: 'owner@localhost', password: 'not the password' }).catch((e) => e);
  assert.ok(wrong instanceof LatchkeyError);
  assert.equal(wrong.code, 'UNAUTHENTICATED');
  console.log('cjs.cjs: ok (require, login, viewer, LatchkeyError)');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
