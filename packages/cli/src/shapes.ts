/**
 * The JSON the CLI prints with --json. Each shape names its fields explicitly instead of passing
 * the SDK's objects through, so a field added to a GraphQL fragment never changes what scripts
 * read. Field names and enum values are the API's (`role: "READER"`), as in the SDK.
 */

export interface MemberJson {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  roleAttributes: Array<{ key: string; values: string[] }>;
  createdAt: string;
}

type MemberLike = {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
  roleAttributes: ReadonlyArray<{ key: string; values: readonly string[] }>;
  createdAt: string;
};

export function memberJson(m: MemberLike): MemberJson {
  return {
    id: m.id,
    email: m.email,
    name: m.name,
    role: m.role,
    status: m.status,
    roleAttributes: m.roleAttributes.map((a) => ({ key: a.key, values: [...a.values] })),
    createdAt: m.createdAt,
  };
}

/** A member with what administration shows: direct custom roles and teams. */
export interface MemberDetailJson extends MemberJson {
  customRoleKeys: string[];
  teamKeys: string[];
}

export function memberDetailJson(m: MemberLike & { customRoles: ReadonlyArray<{ key: string }>; teams: ReadonlyArray<{ key: string }> }): MemberDetailJson {
  return { ...memberJson(m), customRoleKeys: m.customRoles.map((r) => r.key), teamKeys: m.teams.map((t) => t.key) };
}

export interface AuditEntryJson {
  id: string;
  seq: number;
  date: string;
  actor: { id: string; email: string; name: string } | null;
  credentialKind: string;
  tokenId: string | null;
  action: string;
  resource: string;
  title: string;
  outcome: string;
  changes: Array<{ field: string; before: string | null; after: string | null }>;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  hash: string;
}

export function auditEntryJson(e: AuditEntryJson): AuditEntryJson {
  return {
    id: e.id,
    seq: e.seq,
    date: e.date,
    actor: e.actor ? { id: e.actor.id, email: e.actor.email, name: e.actor.name } : null,
    credentialKind: e.credentialKind,
    tokenId: e.tokenId,
    action: e.action,
    resource: e.resource,
    title: e.title,
    outcome: e.outcome,
    changes: e.changes.map((c) => ({ field: c.field, before: c.before, after: c.after })),
    requestId: e.requestId,
    ip: e.ip,
    userAgent: e.userAgent,
    hash: e.hash,
  };
}

export interface StatementJson {
  effect: string;
  actions: string[] | null;
  notActions: string[] | null;
  resources: string[] | null;
  notResources: string[] | null;
}

type StatementLike = { effect: string; actions?: string[] | null; notActions?: string[] | null; resources?: string[] | null; notResources?: string[] | null };

export function statementJson(s: StatementLike): StatementJson {
  return { effect: s.effect, actions: s.actions ?? null, notActions: s.notActions ?? null, resources: s.resources ?? null, notResources: s.notResources ?? null };
}

export interface TokenJson {
  id: string;
  name: string;
  description: string | null;
  kind: string;
  owner: { id: string; email: string; name: string } | null;
  role: string | null;
  customRoleKeys: string[];
  inlinePolicy: StatementJson[] | null;
  obscuredSecret: string;
  defaultApiVersion: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** What the SDK returns for a token: the JSON shape, with statements as the SDK types them. */
export type TokenLike = Omit<TokenJson, 'inlinePolicy'> & { inlinePolicy: StatementLike[] | null };

export function tokenJson(t: TokenLike): TokenJson {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    kind: t.kind,
    owner: t.owner ? { id: t.owner.id, email: t.owner.email, name: t.owner.name } : null,
    role: t.role,
    customRoleKeys: [...t.customRoleKeys],
    inlinePolicy: t.inlinePolicy ? t.inlinePolicy.map(statementJson) : null,
    obscuredSecret: t.obscuredSecret,
    defaultApiVersion: t.defaultApiVersion,
    active: t.active,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    lastUsedAt: t.lastUsedAt,
    expiresAt: t.expiresAt,
  };
}

/** A token's scope in a few words: `reader`, `roles: a, b`, `inline policy (2 statements)`. */
export function scopeOf(t: Pick<TokenLike, 'role' | 'customRoleKeys' | 'inlinePolicy'>): string {
  if (t.role) return t.role.toLowerCase();
  if (t.customRoleKeys.length > 0) return `roles: ${t.customRoleKeys.join(', ')}`;
  if (t.inlinePolicy) return `inline policy (${t.inlinePolicy.length} statement${t.inlinePolicy.length === 1 ? '' : 's'})`;
  return '-';
}

export interface RoleJson {
  id: string;
  key: string;
  name: string;
  description: string | null;
  basePermissions: string | null;
  policy: StatementJson[];
  createdAt: string;
  updatedAt: string;
}

export function roleJson(r: { id: string; key: string; name: string; description: string | null; basePermissions: string | null; policy: StatementLike[]; createdAt: string; updatedAt: string }): RoleJson {
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    description: r.description,
    basePermissions: r.basePermissions,
    policy: r.policy.map(statementJson),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export interface DecisionJson {
  allowed: boolean;
  reason: string;
  action: string;
  resource: string;
  refusedBy: string | null;
  statements: Array<{ source: string; index: number; effect: string; statement: StatementJson }>;
}

export function decisionJson(d: {
  allowed: boolean;
  reason: string;
  action: string;
  resource: string;
  refusedBy?: string | null;
  statements: ReadonlyArray<{ source: string; index: number; effect: string; statement: StatementLike }>;
}): DecisionJson {
  return {
    allowed: d.allowed,
    reason: d.reason,
    action: d.action,
    resource: d.resource,
    refusedBy: d.refusedBy ?? null,
    statements: d.statements.map((s) => ({ source: s.source, index: s.index, effect: s.effect, statement: statementJson(s.statement) })),
  };
}
