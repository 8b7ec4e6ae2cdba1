import { encodeGlobalID } from '@pothos/plugin-relay';
import type { AccessRequest } from '@latchkey/policy';
import type { AuditEntryRow } from '../db/schema/audit.ts';
import { builder } from '../builder.ts';
import { callerOf, type Context } from '../context.ts';
import { isAuthorized } from '../auth/authorize.ts';
import { badInput, LatchkeyError } from '../errors.ts';
import { verifyAccountAuditLog, type AuditChainBreakReason } from '../services/audit.ts';
import { auditSeqOf, findAuditEntry, listAuditEntries, type AuditFilter } from '../store/audit.ts';
import { findMemberById } from '../store/members.ts';
import { findVisibleToken } from '../services/tokens.ts';
import { keysetConnection, rawId } from './common.ts';
import { Member } from './member.ts';
import { Token } from './token.ts';

/**
 * The audit log: who did what, through which credential, from where; tamper-evident (each entry
 * hashes its content and the previous entry's hash). Reading it takes `viewAuditLog` on `acct`.
 */

const VIEW_AUDIT_LOG: AccessRequest = { action: 'viewAuditLog', resource: 'acct' };

export const AuditOutcomeEnum = builder.enumType('AuditOutcome', {
  description: 'Whether a recorded attempt changed something.',
  values: {
    SUCCESS: { value: 'success', description: 'The change was made.' },
    REFUSED: { value: 'refused', description: 'The attempt was refused (not allowed, or a failed login); nothing changed.' },
  } as const,
});

export const CredentialKindEnum = builder.enumType('CredentialKind', {
  description: 'Which kind of credential made a request.',
  values: {
    SESSION: { value: 'session', description: 'A member session (login).' },
    PERSONAL: { value: 'personal', description: 'A personal access token.' },
    SERVICE: { value: 'service', description: 'A service access token.' },
    NONE: { value: 'none', description: 'No credential (e.g. a failed login, sign-up, first start).' },
  } as const,
});

interface AuditChangeShape {
  field: string;
  before: unknown;
  after: unknown;
}

/** undefined (the field did not exist on that side) becomes null; anything else its JSON text. */
const jsonOrNull = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export const AuditChange = builder.objectRef<AuditChangeShape>('AuditChange').implement({
  description: 'One changed field: its value before and after, each as JSON text (null when absent). Never a secret or a digest.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The field that changed.' }),
    before: t.string({ nullable: true, description: 'JSON-encoded value before the change.', resolve: (c) => jsonOrNull(c.before) }),
    after: t.string({ nullable: true, description: 'JSON-encoded value after the change.', resolve: (c) => jsonOrNull(c.after) }),
  }),
});

/** An entry of the caller's account, when the caller may read the audit log; null otherwise (never a hint). */
async function loadEntry(context: Context, id: string): Promise<AuditEntryRow | null> {
  if (!context.caller || !isAuthorized(context, VIEW_AUDIT_LOG)) return null;
  return await findAuditEntry(context.app.db, context.caller.accountId, id) ?? null;
}

export const AuditEntry = builder.objectRef<AuditEntryRow>('AuditEntry');
builder.node(AuditEntry, {
  description: 'One entry of the audit log: a change, a refused attempt or a failed login.',
  authScopes: { can: VIEW_AUDIT_LOG },
  id: { resolve: (entry) => entry.id },
  loadOne: (id, context) => loadEntry(context, id),
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: "Position in the account's hash chain (1, 2, 3, …)." }),
    date: t.expose('date', { type: 'DateTime', description: 'When it happened.' }),
    actor: t.field({
      type: Member,
      nullable: true,
      description: 'Who did it (for a service token, the member who created it); null when no member was involved.',
      resolve: async (entry, _args, context) => (entry.actorId ? (await findMemberById(context.app.db, entry.accountId, entry.actorId) ?? null) : null),
    }),
    credentialKind: t.field({ type: CredentialKindEnum, description: 'The credential used.', resolve: (entry) => entry.credentialKind }),
    token: t.field({
      type: Token,
      nullable: true,
      description: 'The access token used, when the credential was a token; null once deleted or when you may not view it (tokenId remains).',
      resolve: async (entry, _args, context) => (entry.tokenId ? await findVisibleToken(context, entry.tokenId) : null),
    }),
    tokenId: t.id({
      nullable: true,
      description: 'The access token used (global Token id), when the credential was a token, even after it was deleted.',
      resolve: (entry) => (entry.tokenId ? encodeGlobalID('Token', entry.tokenId) : null),
    }),
    sessionId: t.id({
      nullable: true,
      description: 'The session used or opened (global Session id), when the credential was a session.',
      resolve: (entry) => (entry.sessionId ? encodeGlobalID('Session', entry.sessionId) : null),
    }),
    action: t.exposeString('action', { description: 'The action from the policy catalog (read with the resource type).' }),
    resource: t.exposeString('resource', { description: 'Resource specifier, e.g. `member/<id>:token/<id>`.' }),
    title: t.exposeString('title', { description: "A human summary, e.g. \"Ada reset token 'ci-deploy'\"." }),
    changes: t.field({ description: 'What changed: each field before and after (never a secret).',
      type: [AuditChange],
      resolve: (entry) => Object.entries(entry.changes).map(([field, change]) => ({ field, before: change.before, after: change.after })),
    }),
    outcome: t.field({ description: 'Whether it succeeded or was refused.', type: AuditOutcomeEnum, resolve: (entry) => entry.outcome }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The request id (also in the x-request-id response header and the logs).' }),
    ip: t.exposeString('ip', { nullable: true, description: 'Client address.' }),
    userAgent: t.exposeString('userAgent', { nullable: true, description: 'The User-Agent of the request (secrets in it obscured).' }),
    hash: t.exposeString('hash', { description: "SHA-256 over this entry's content and the previous entry's hash." }),
  }),
});

export const AuditEntryConnection = builder.connectionObject({ type: AuditEntry, name: 'AuditEntryConnection' }, { name: 'AuditEntryEdge' });

const MAX_PATTERN_LENGTH = 256;

export const AuditLogFilter = builder.inputType('AuditLogFilter', {
  description: 'Narrows the audit log; every field given must match.',
  fields: (t) => ({
    actorId: t.id({ description: 'Entries by this member (global Member id).' }),
    tokenId: t.id({ description: 'Entries made with this access token (global Token id).' }),
    action: t.string({ description: 'Action name; `*` matches any characters (e.g. `update*`). Case-insensitive.' }),
    resource: t.string({
      description: 'Resource specifier; `*` matches any characters, `:` and `/` included (e.g. `proj/*:env/production:*`). Case-insensitive.',
    }),
    from: t.field({ type: 'DateTime', description: 'Entries at or after this date.' }),
    to: t.field({ type: 'DateTime', description: 'Entries before this date.' }),
    q: t.string({ description: 'Free text, found anywhere in the title (case-insensitive).' }),
    outcome: t.field({ type: AuditOutcomeEnum, description: 'Only changes (SUCCESS) or only refused attempts (REFUSED).' }),
  }),
});

interface AuditLogFilterInput {
  actorId?: string | null;
  tokenId?: string | null;
  action?: string | null;
  resource?: string | null;
  from?: Date | null;
  to?: Date | null;
  q?: string | null;
  outcome?: 'success' | 'refused' | null;
}

function filterId(field: string, globalId: string | null | undefined, typename: string): string | undefined {
  if (globalId === null || globalId === undefined) return undefined;
  try {
    return rawId(globalId, typename);
  } catch (error) {
    if (error instanceof LatchkeyError) throw badInput(field, `is not a ${typename} id`);
    throw error;
  }
}

function filterText(field: string, value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length > MAX_PATTERN_LENGTH) throw badInput(field, `must be at most ${MAX_PATTERN_LENGTH} characters`);
  return value;
}

/** The GraphQL filter as the store takes it: raw ids, validated lengths and range. */
export function auditFilterOf(input: AuditLogFilterInput | null | undefined): AuditFilter {
  if (!input) return {};
  const from = input.from ?? undefined;
  const to = input.to ?? undefined;
  if (from && to && from.getTime() > to.getTime()) throw badInput('filter.to', 'must not be before filter.from');
  return {
    actorId: filterId('filter.actorId', input.actorId, 'Member'),
    tokenId: filterId('filter.tokenId', input.tokenId, 'Token'),
    action: filterText('filter.action', input.action),
    resource: filterText('filter.resource', input.resource),
    q: filterText('filter.q', input.q),
    from,
    to,
    outcome: input.outcome ?? undefined,
  };
}

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * The caller's account's entries, newest first. Cursors are entry ids, walked by their chain
 * position, so entries appended meanwhile never shift the following pages.
 */
export async function auditLogConnection(context: Context, args: ConnectionArgs, filter: AuditFilter) {
  const { accountId } = callerOf(context);
  const db = context.app.db;
  const seqOf = async (field: string, id: string | undefined) => {
    if (id === undefined) return undefined;
    const seq = await auditSeqOf(db, accountId, id);
    if (seq === undefined) throw badInput(field, 'is not a cursor from this list');
    return seq;
  };
  return keysetConnection('audit', args, async (page) =>
    await listAuditEntries(db, accountId, filter, {
      limit: page.limit,
      inverted: page.inverted,
      afterSeq: await seqOf('after', page.after),
      beforeSeq: await seqOf('before', page.before),
    }),
  );
}

builder.queryField('auditLog', (t) =>
  t.connection(
    {
      type: AuditEntry,
      description: "Your account's audit log, newest first.",
      authScopes: { can: VIEW_AUDIT_LOG },
      args: { filter: t.arg({ description: 'Only entries matching all of these.', type: AuditLogFilter }) },
      resolve: (_root, args, context) => auditLogConnection(context, args, auditFilterOf(args.filter)),
    },
    AuditEntryConnection,
  ),
);

builder.objectField(Member, 'auditLog', (t) =>
  t.connection(
    {
      type: AuditEntry,
      description: "Entries this member made, newest first (needs viewAuditLog).",
      authScopes: { can: VIEW_AUDIT_LOG },
      args: { filter: t.arg({ type: AuditLogFilter, description: 'Further narrowing; its actorId is ignored.' }) },
      resolve: (member, args, context) => auditLogConnection(context, args, { ...auditFilterOf(args.filter), actorId: member.id }),
    },
    AuditEntryConnection,
  ),
);

builder.objectField(Token, 'auditLog', (t) =>
  t.connection(
    {
      type: AuditEntry,
      description: 'Entries made with this token, newest first (needs viewAuditLog).',
      authScopes: { can: VIEW_AUDIT_LOG },
      args: { filter: t.arg({ type: AuditLogFilter, description: 'Further narrowing; its tokenId is ignored.' }) },
      resolve: (token, args, context) => auditLogConnection(context, args, { ...auditFilterOf(args.filter), tokenId: token.id }),
    },
    AuditEntryConnection,
  ),
);

// --- Verification ---

const AuditChainBreakReasonEnum = builder.enumType('AuditChainBreakReason', {
  description: 'How the hash chain of the audit log is broken at an entry.',
  values: {
    HASH_MISMATCH: { value: 'hash-mismatch', description: "The entry's content no longer matches its hash: it was edited." },
    PREV_HASH_MISMATCH: { value: 'prev-hash-mismatch', description: 'The entry does not chain to the previous one: that one was rewritten.' },
    SEQ_GAP: { value: 'seq-gap', description: 'Entries before this one are missing: they were removed.' },
    CHECKPOINT_MISMATCH: {
      value: 'checkpoint-mismatch',
      description:
        'An entry an earlier verification found intact (the checkpoint) was removed, or rewritten together with every entry before it so that they still chain.',
    },
  } as const,
});

interface AuditChainBreakShape {
  seq: number;
  entryId: string;
  reason: AuditChainBreakReason;
  detail: string;
}

const AuditChainBreak = builder.objectRef<AuditChainBreakShape>('AuditChainBreak').implement({
  description: 'The first entry where the chain does not hold.',
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'The position of the entry in the chain (1 is the first).' }),
    entryId: t.id({ description: 'Global AuditEntry id.', resolve: (b) => encodeGlobalID('AuditEntry', b.entryId) }),
    reason: t.field({ description: 'How the chain is broken there.', type: AuditChainBreakReasonEnum, resolve: (b) => b.reason }),
    detail: t.exposeString('detail', { description: 'What was expected and what was found.' }),
  }),
});

interface AuditVerificationShape {
  ok: boolean;
  entries: number;
  checked: number;
  trustedUpTo: number;
  headSeq: number | null;
  headHash: string | null;
  firstBrokenLink: AuditChainBreakShape | null;
}

const AuditVerification = builder.objectRef<AuditVerificationShape>('AuditVerification').implement({
  description: "The result of checking your account's hash chain.",
  fields: (t) => ({
    ok: t.exposeBoolean('ok', { description: 'Whether every entry is intact and in place.' }),
    entries: t.exposeInt('entries', {
      description: 'How many entries are intact: up to the head, the trusted checkpoint included (0 when the chain is broken).',
    }),
    checked: t.exposeInt('checked', { description: 'How many entries this verification read and hashed.' }),
    trustedUpTo: t.exposeInt('trustedUpTo', {
      description:
        'The checkpoint an incremental verification started from: entries up to it were verified earlier and not read again (0 for a full verification).',
    }),
    headSeq: t.exposeInt('headSeq', { nullable: true, description: 'Position of the newest entry, when intact.' }),
    headHash: t.exposeString('headHash', {
      nullable: true,
      description: 'Hash of the newest entry, when intact: keep it elsewhere to detect a later rewrite of the whole chain.',
    }),
    firstBrokenLink: t.field({ description: 'The first entry where the chain breaks; null when it is intact.', type: AuditChainBreak, nullable: true, resolve: (v) => v.firstBrokenLink }),
  }),
});

builder.queryField('verifyAuditLog', (t) =>
  t.field({
    type: AuditVerification,
    description:
      "Checks your account's audit log for tampering and reports the first broken link. By default from the last checkpoint " +
      '(the newest entry an earlier verification found intact) to the newest entry; `full: true` checks from the first entry, ' +
      'which also finds an entry below the checkpoint that was rewritten. Either way other requests are served meanwhile.',
    authScopes: { can: VIEW_AUDIT_LOG },
    args: {
      full: t.arg.boolean({
        defaultValue: false,
        description: 'Check from the first entry instead of the checkpoint (slower: every entry is read again).',
      }),
    },
    resolve: async (_root, args, context) => {
      const { accountId } = callerOf(context);
      const result = await verifyAccountAuditLog(context.app.database, accountId, args.full ?? false);
      if (!result.ok) {
        const { seq, entryId, reason, detail } = result;
        return { ok: false, entries: 0, checked: result.checked, trustedUpTo: 0, headSeq: null, headHash: null, firstBrokenLink: { seq, entryId, reason, detail } };
      }
      const head = result.heads[0];
      return {
        ok: true,
        entries: result.entries,
        checked: result.checked,
        trustedUpTo: head?.trustedUpTo ?? 0,
        headSeq: head?.seq ?? null,
        headHash: head?.hash ?? null,
        firstBrokenLink: null,
      };
    },
  }),
);
