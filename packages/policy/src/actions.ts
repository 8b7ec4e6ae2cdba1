/**
 * The action catalogue: every action Latchkey checks, read together with its resource type.
 * One `as const` map is the source of truth; the flat list, the per-type lookups and the
 * README table are derived from it. Names follow LaunchDarkly where LaunchDarkly has the
 * action; `latchkey: true` marks Latchkey's own additions.
 */

/** Resource types in catalogue order (also the order containment reports in). */
export const RESOURCE_TYPES = [
  'acct',
  'member',
  'member:token',
  'service-token',
  'role',
  'team',
  'proj',
  'proj:env',
  'proj:env:flag',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

interface ActionSpec {
  readonly kind: 'view' | 'change';
  readonly latchkey: boolean;
  readonly description: string;
  /** Only the account owner holds it by default (admin's `*` excludes it). */
  readonly ownerOnly?: boolean;
  /**
   * A flag action that changes the flag in every environment at once: the server checks it
   * on `proj/<p>:env/<e>:flag/<f>` for every environment of the project and needs all of
   * them to allow (a token denied in production cannot delete a flag).
   */
  readonly projectWide?: boolean;
}

const tokenActions = (owner: string) =>
  ({
    createAccessToken: { kind: 'change', latchkey: false, description: `Create ${owner}` },
    deleteAccessToken: { kind: 'change', latchkey: false, description: `Delete ${owner}` },
    resetAccessToken: { kind: 'change', latchkey: false, description: `Reset the secret of ${owner}` },
    updateAccessTokenName: { kind: 'change', latchkey: false, description: `Rename ${owner}` },
    updateAccessTokenDescription: {
      kind: 'change',
      latchkey: false,
      description: `Change the description of ${owner}`,
    },
    updateAccessTokenPolicy: {
      kind: 'change',
      latchkey: false,
      description: `Change the scope (role, custom roles or inline policy) of ${owner}`,
    },
    updateAccessTokenExpiry: { kind: 'change', latchkey: true, description: `Set or clear the expiry of ${owner}` },
    viewAccessToken: { kind: 'view', latchkey: true, description: `See ${owner} (never its secret)` },
  }) as const satisfies Record<string, ActionSpec>;

const CATALOG = {
  acct: {
    viewAuditLog: { kind: 'view', latchkey: true, description: "Read the account's audit log" },
    updateServiceTokenLimit: {
      kind: 'change',
      latchkey: true,
      ownerOnly: true,
      description: 'Change the maximum number of service tokens of the account',
    },
    revokeSessions: { kind: 'change', latchkey: false, description: 'Revoke the sessions of every member' },
  },
  member: {
    createMember: { kind: 'change', latchkey: false, description: 'Invite a member' },
    updateRole: { kind: 'change', latchkey: false, description: "Change a member's base role" },
    updateCustomRole: { kind: 'change', latchkey: false, description: "Change a member's custom roles" },
    updateMemberRoleAttributes: {
      kind: 'change',
      latchkey: false,
      description: "Change a member's role attributes",
    },
    deleteMember: { kind: 'change', latchkey: false, description: 'Remove a member' },
    revokeSessions: { kind: 'change', latchkey: true, description: "Revoke a member's sessions" },
  },
  'member:token': tokenActions('a personal access token'),
  'service-token': tokenActions('a service token'),
  role: {
    createRole: { kind: 'change', latchkey: false, description: 'Create a custom role' },
    deleteRole: { kind: 'change', latchkey: false, description: 'Delete a custom role' },
    updateName: { kind: 'change', latchkey: false, description: 'Rename a custom role' },
    updateDescription: { kind: 'change', latchkey: false, description: "Change a custom role's description" },
    updatePolicy: { kind: 'change', latchkey: false, description: "Change a custom role's policy" },
    updateBasePermissions: {
      kind: 'change',
      latchkey: false,
      description: "Change a custom role's base permissions",
    },
  },
  team: {
    createTeam: { kind: 'change', latchkey: false, description: 'Create a team' },
    deleteTeam: { kind: 'change', latchkey: false, description: 'Delete a team' },
    updateTeamName: { kind: 'change', latchkey: false, description: 'Rename a team' },
    updateTeamDescription: { kind: 'change', latchkey: false, description: "Change a team's description" },
    updateTeamMembers: { kind: 'change', latchkey: false, description: "Change a team's members" },
    updateTeamCustomRoles: { kind: 'change', latchkey: false, description: "Change a team's custom roles" },
    viewTeam: { kind: 'view', latchkey: false, description: 'See a team' },
  },
  proj: {
    createProject: { kind: 'change', latchkey: false, description: 'Create a project' },
    deleteProject: { kind: 'change', latchkey: false, description: 'Delete a project' },
    updateProjectName: { kind: 'change', latchkey: false, description: 'Rename a project' },
    updateTags: { kind: 'change', latchkey: false, description: "Change a project's tags" },
    viewProject: { kind: 'view', latchkey: false, description: 'See a project, its environments and flags' },
  },
  'proj:env': {
    createEnvironment: { kind: 'change', latchkey: false, description: 'Create an environment' },
    deleteEnvironment: { kind: 'change', latchkey: false, description: 'Delete an environment' },
    updateName: { kind: 'change', latchkey: false, description: 'Rename an environment' },
    updateTags: { kind: 'change', latchkey: false, description: "Change an environment's tags" },
  },
  'proj:env:flag': {
    createFlag: { kind: 'change', latchkey: false, projectWide: true, description: 'Create a flag' },
    deleteFlag: { kind: 'change', latchkey: false, projectWide: true, description: 'Delete a flag' },
    updateOn: { kind: 'change', latchkey: false, description: 'Turn a flag on or off in one environment' },
    updateName: { kind: 'change', latchkey: false, projectWide: true, description: 'Rename a flag' },
    updateDescription: {
      kind: 'change',
      latchkey: false,
      projectWide: true,
      description: "Change a flag's description",
    },
  },
} as const satisfies Record<ResourceType, Record<string, ActionSpec>>;

/** Action names valid on resource type `T`. */
export type ActionOf<T extends ResourceType> = keyof (typeof CATALOG)[T] & string;
/** Every action name in the catalogue (on some type). */
export type ActionName = { [T in ResourceType]: ActionOf<T> }[ResourceType];

export interface ActionInfo {
  resourceType: ResourceType;
  action: string;
  kind: 'view' | 'change';
  /** Latchkey's own addition, not a LaunchDarkly action. */
  latchkey: boolean;
  description: string;
  ownerOnly?: boolean;
  projectWide?: boolean;
}

function flatten(): ActionInfo[] {
  const out: ActionInfo[] = [];
  for (const resourceType of RESOURCE_TYPES) {
    const actions: Readonly<Record<string, ActionSpec>> = CATALOG[resourceType];
    for (const [action, spec] of Object.entries(actions)) {
      out.push(Object.freeze({ resourceType, action, ...spec }));
    }
  }
  return out;
}

/** Every (resource type, action) pair, grouped by type in {@link RESOURCE_TYPES} order. */
export const ACTION_CATALOG: readonly ActionInfo[] = Object.freeze(flatten());

const byType: ReadonlyMap<ResourceType, readonly ActionInfo[]> = new Map(
  RESOURCE_TYPES.map((t) => [t, Object.freeze(ACTION_CATALOG.filter((a) => a.resourceType === t))]),
);
const namesByType: ReadonlyMap<ResourceType, ReadonlySet<string>> = new Map(
  RESOURCE_TYPES.map((t) => [t, new Set(actionsFor(t).map((a) => a.action))]),
);

/** The catalogue entries of one resource type. */
export function actionsFor(type: ResourceType): readonly ActionInfo[] {
  return byType.get(type) ?? [];
}

/** Whether `action` exists on resource type `type` (exact name, case-sensitive). */
export function isKnownAction(type: ResourceType, action: string): boolean {
  return namesByType.get(type)?.has(action) ?? false;
}

/** The catalogue entry for (type, action), if any. */
export function actionInfo(type: ResourceType, action: string): ActionInfo | undefined {
  return actionsFor(type).find((a) => a.action === action);
}

export function isResourceType(value: string): value is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(value);
}
