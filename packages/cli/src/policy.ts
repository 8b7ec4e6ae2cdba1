import { readFileSync } from 'node:fs';
import { usageError } from './errors.ts';

/** A statement as the API takes it (StatementInput). */
export interface StatementInput {
  effect: 'ALLOW' | 'DENY';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
}

const LIST_FIELDS = ['actions', 'notActions', 'resources', 'notResources'] as const;

/**
 * Reads a policy file: a JSON array of statements, or an object with a `policy` array (so the
 * output of `latchkey roles show --json` can be edited and fed back). `effect` may be written
 * `allow`/`deny` in any case. Shape errors are usage errors naming the file and the statement;
 * whether the actions and resources make sense is for the server to say.
 */
export function readPolicyFile(path: string): StatementInput[] {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw usageError(`--policy-file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(`--policy-file ${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const list = Array.isArray(parsed) ? parsed : isRecord(parsed) && Array.isArray(parsed.policy) ? parsed.policy : undefined;
  if (!list) throw usageError(`--policy-file ${path}: expected a JSON array of statements (or an object with a "policy" array)`);
  return list.map((item: unknown, i: number) => statement(item, `--policy-file ${path}: statement ${i}`));
}

function statement(item: unknown, where: string): StatementInput {
  if (!isRecord(item)) throw usageError(`${where}: expected an object`);
  const effect = typeof item.effect === 'string' ? item.effect.toUpperCase() : undefined;
  if (effect !== 'ALLOW' && effect !== 'DENY') throw usageError(`${where}: "effect" must be "allow" or "deny"`);
  const out: StatementInput = { effect };
  for (const field of LIST_FIELDS) {
    const value = item[field];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw usageError(`${where}: "${field}" must be an array of strings`);
    out[field] = value;
  }
  const unknown = Object.keys(item).filter((k) => k !== 'effect' && !(LIST_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw usageError(`${where}: unknown field(s) ${unknown.map((k) => `"${k}"`).join(', ')}`);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const BASE_ROLES = ['no_access', 'reader', 'writer', 'admin', 'owner'] as const;
export type BaseRoleName = (typeof BASE_ROLES)[number];

/** `reader` → `READER` (the API's enum). */
export function baseRole(name: BaseRoleName): 'NO_ACCESS' | 'READER' | 'WRITER' | 'ADMIN' | 'OWNER' {
  switch (name) {
    case 'no_access':
      return 'NO_ACCESS';
    case 'reader':
      return 'READER';
    case 'writer':
      return 'WRITER';
    case 'admin':
      return 'ADMIN';
    case 'owner':
      return 'OWNER';
  }
}

/** Statements for people: `allow  readFlag,updateFlag  on proj/web:*`. */
export function describeStatement(s: { effect: string; actions?: readonly string[] | null; notActions?: readonly string[] | null; resources?: readonly string[] | null; notResources?: readonly string[] | null }): string {
  const actions = s.actions?.length ? s.actions.join(',') : s.notActions?.length ? `all but ${s.notActions.join(',')}` : '*';
  const resources = s.resources?.length ? s.resources.join(',') : s.notResources?.length ? `all but ${s.notResources.join(',')}` : '*';
  return `${s.effect.toLowerCase()} ${actions} on ${resources}`;
}
