// Type-checked, never run: a CommonJS TypeScript file gets the `require` declarations.
import sdk = require('@latchkey/sdk');

export async function who(url: string): Promise<string> {
  const { member } = await sdk.createClient({ url }).viewer();
  const error: sdk.LatchkeyError = new sdk.LatchkeyError('NOT_FOUND', 'x');
  return `${member.email} ${error.code}`;
}
