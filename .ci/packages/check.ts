// Type-checked, never run: the SDK's public types under strict + exactOptionalPropertyTypes.
import { createClient, LatchkeyClient, LatchkeyError, viewer, createToken, types, type LatchkeyErrorCode } from '@latchkey/sdk';
import { recognizeSecret, type SecretKind } from '@latchkey/sdk/secrets';

export async function demo(url: string): Promise<string> {
  // An unset variable is fine: the credential is optional (and may be undefined).
  const lk = createClient({ url, token: process.env['LATCHKEY_TOKEN'] });
  const { member, credentialKind } = await lk.viewer();
  const role: types.BaseRole = member.role;
  const kind: string = credentialKind;
  // @ts-expect-error the viewer has no such field: the types are real, not any
  void member.nope;

  const { token, secret } = await createToken(lk, { name: 'ci', role: 'READER' });
  const found: SecretKind | null = recognizeSecret(secret);
  const bare = await viewer(new LatchkeyClient({ url, token: secret }));
  try {
    await lk.deleteToken({ id: token.id });
  } catch (error) {
    if (error instanceof LatchkeyError) {
      const code: LatchkeyErrorCode = error.code;
      return `${code} ${error.status ?? ''} ${String(error.details['action'] ?? '')}`;
    }
    throw error;
  }
  // @ts-expect-error an input field that does not exist
  await lk.createToken({ name: 'x', role: 'READER', colour: 'red' });
  return `${role} ${kind} ${found ?? '-'} ${bare.apiVersion}`;
}
