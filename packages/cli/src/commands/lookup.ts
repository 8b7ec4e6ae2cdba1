import type { Latchkey } from '@latchkey/sdk';
import { CliError } from '../errors.ts';
import { collect } from '../paging.ts';

/** A member given by id or by email (anything with an `@`): the member's id. */
export async function memberIdOf(lk: Latchkey, idOrEmail: string): Promise<string> {
  if (!idOrEmail.includes('@')) return idOrEmail;
  const wanted = idOrEmail.toLowerCase();
  const { nodes } = await collect((first, after) => lk.members({ first, after }));
  const member = nodes.find((m) => m.email.toLowerCase() === wanted);
  if (!member) throw new CliError('NOT_FOUND', `no member with email ${idOrEmail}`);
  return member.id;
}

