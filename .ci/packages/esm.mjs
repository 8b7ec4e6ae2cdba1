// Plain Node, ESM: the packed SDK against a real server (LATCHKEY_URL, LATCHKEY_PASSWORD).
import assert from 'node:assert/strict';
import { createClient, LatchkeyClient, LatchkeyError, recognizeSecret, viewer } from '@latchkey/sdk';
import { findSecrets } from '@latchkey/sdk/secrets';

const url = process.env.LATCHKEY_URL;
const anonymous = createClient({ url });
const { secret: session } = await anonymous.login({ email: 'owner@localhost', password: process.env.LATCHKEY_PASSWORD });
assert.equal(recognizeSecret(session), 'session');
const lk = anonymous.withToken(session);

const { token, secret } = await lk.createToken({ name: 'esm-script', role: 'READER' });
assert.equal(recognizeSecret(secret), 'personal');
assert.equal(findSecrets(`token=${secret}`).length, 1);
// The standalone function with a bare client: what a small frontend bundle uses.
const seen = await viewer(new LatchkeyClient({ url, token: secret }));
assert.equal(seen.credentialKind, 'PERSONAL');
assert.equal(seen.member.email, 'owner@localhost');

await lk.deleteToken({ id: token.id });
const error = await lk.withToken(secret).viewer().catch((e) => e);
assert.ok(error instanceof LatchkeyError);
assert.equal(error.code, 'UNAUTHENTICATED');
assert.equal(error.status, 401);

const offline = await createClient({ url: 'http://127.0.0.1:9/graphql' }).apiVersions().catch((e) => e);
assert.equal(offline.code, 'NETWORK_ERROR');
assert.match(offline.message, /http:\/\/127\.0\.0\.1:9\/graphql/);
console.log('esm.mjs: ok (login, createToken, viewer, deleteToken, UNAUTHENTICATED 401, NETWORK_ERROR names the URL)');
