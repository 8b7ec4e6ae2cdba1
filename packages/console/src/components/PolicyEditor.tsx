import { useEffect, useId, useState } from 'react';
import { useClient } from 'urql';
import { types } from '@latchkey/sdk';

/**
 * A policy as JSON (a list of statements), checked as you type:
 * 1. its shape (what StatementInput accepts), so the server is sent only well-formed policies;
 * 2. whether YOU may give what it allows. A token's inline policy is dry-run by the token form
 *    (checkTokenScope, exact for patterns, notActions and notResources too). A custom role's
 *    policy (usePolicyCheck) has no server dry run: each concrete allowed (action, resource) pair
 *    is asked of checkAccess, and patterns and notActions/notResources are decided when you save.
 */
export type StatementInput = types.StatementInput;

export interface PolicyCheck {
  statements: StatementInput[] | null;
  /** Shape error (the policy cannot be sent). */
  error: string | null;
  /** The first pair the server said you may not do, in its words. */
  exceeds: string | null;
  /** Pairs left to the server at save time. */
  deferred: number;
  checking: boolean;
  /** Why the server could not check it yet (another field's bad input), in its words. */
  unchecked?: string | null;
}

const EFFECTS = ['allow', 'deny'];

function strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    throw new Error(`${where} must be a non-empty list of strings`);
  }
  return value as string[];
}

/** Parses the editor's text into StatementInput[] or says what is wrong, where. */
export function parsePolicy(text: string): { ok: true; statements: StatementInput[] } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!Array.isArray(json) || json.length === 0) return { ok: false, error: 'A policy is a non-empty list of statements: [{ "effect": "allow", "actions": [...], "resources": [...] }]' };
  try {
    const statements = json.map((raw, i): StatementInput => {
      const where = `Statement ${i + 1}`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where} must be an object`);
      const s = raw as Record<string, unknown>;
      const unknownKey = Object.keys(s).find((k) => !['effect', 'actions', 'notActions', 'resources', 'notResources'].includes(k));
      if (unknownKey) throw new Error(`${where}: unknown field "${unknownKey}"`);
      const effect = typeof s.effect === 'string' ? s.effect.toLowerCase() : '';
      if (!EFFECTS.includes(effect)) throw new Error(`${where}: effect must be "allow" or "deny"`);
      if ((s.actions === undefined) === (s.notActions === undefined)) throw new Error(`${where}: give exactly one of actions or notActions`);
      if ((s.resources === undefined) === (s.notResources === undefined)) throw new Error(`${where}: give exactly one of resources or notResources`);
      const out: StatementInput = { effect: effect === 'allow' ? 'ALLOW' : 'DENY' };
      if (s.actions !== undefined) out.actions = strings(s.actions, `${where}: actions`);
      if (s.notActions !== undefined) out.notActions = strings(s.notActions, `${where}: notActions`);
      if (s.resources !== undefined) out.resources = strings(s.resources, `${where}: resources`);
      if (s.notResources !== undefined) out.notResources = strings(s.notResources, `${where}: notResources`);
      return out;
    });
    return { ok: true, statements };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The editor's text for statements read back from the API. */
export function policyText(statements: ReadonlyArray<{ effect: string; actions?: readonly string[] | null; notActions?: readonly string[] | null; resources?: readonly string[] | null; notResources?: readonly string[] | null }>): string {
  const plain = statements.map((s) => {
    const o: Record<string, unknown> = { effect: s.effect.toLowerCase() };
    if (s.actions) o.actions = s.actions;
    if (s.notActions) o.notActions = s.notActions;
    if (s.resources) o.resources = s.resources;
    if (s.notResources) o.notResources = s.notResources;
    return o;
  });
  return JSON.stringify(plain, null, 2);
}

export const EXAMPLE_POLICY = `[
  {
    "effect": "allow",
    "actions": ["viewProject"],
    "resources": ["proj/*"]
  }
]`;

/** For a custom role: parses as you type and asks checkAccess about each concrete allowed pair (debounced). */
export function usePolicyCheck(text: string, enabled: boolean, checkCoverage: boolean): PolicyCheck {
  const client = useClient();
  const [check, setCheck] = useState<PolicyCheck>({ statements: null, error: null, exceeds: null, deferred: 0, checking: false });
  useEffect(() => {
    if (!enabled) return;
    const parsed = parsePolicy(text);
    if (!parsed.ok) {
      setCheck({ statements: null, error: parsed.error, exceeds: null, deferred: 0, checking: false });
      return;
    }
    const pairs: Array<{ action: string; resource: string }> = [];
    let deferred = 0;
    for (const s of parsed.statements) {
      if (s.effect !== 'ALLOW') continue;
      if (!s.actions || !s.resources) {
        deferred++;
        continue;
      }
      for (const action of s.actions) {
        for (const resource of s.resources) {
          if (action.includes('*') || /[*;${}]/.test(resource)) deferred++;
          else pairs.push({ action, resource });
        }
      }
    }
    setCheck({ statements: parsed.statements, error: null, exceeds: null, deferred, checking: checkCoverage && pairs.length > 0 });
    if (!checkCoverage || pairs.length === 0) return;
    let cancelled = false;
    const timer = setTimeout(async () => {
      for (const pair of pairs.slice(0, 50)) {
        const res = await client.query(types.ConsoleDecisionDocument, pair, { requestPolicy: 'network-only' }).toPromise();
        if (cancelled) return;
        const decision = res.data?.checkAccess;
        const problem = res.error
          ? `${pair.action} on ${pair.resource}: ${res.error.graphQLErrors[0]?.message ?? res.error.message}`
          : decision && !decision.allowed
            ? `${decision.action} on ${decision.resource} is not within your permissions (${decision.reason})`
            : null;
        if (problem) {
          setCheck((c) => ({ ...c, exceeds: problem, checking: false }));
          return;
        }
      }
      setCheck((c) => ({ ...c, checking: false }));
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [text, enabled, checkCoverage, client]);
  return check;
}

export function PolicyEditor({ label, value, onChange, check, serverError }: { label: string; value: string; onChange: (text: string) => void; check: PolicyCheck; serverError?: string | null }) {
  const id = useId();
  const statusId = `${id}-status`;
  return (
    <div className="field policy-editor">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        spellCheck={false}
        rows={10}
        value={value}
        aria-invalid={check.error || check.exceeds || serverError ? true : undefined}
        aria-describedby={statusId}
        onChange={(e) => onChange(e.target.value)}
      />
      <div id={statusId} className="policy-status" aria-live="polite">
        {check.error && <p className="field-error">{check.error}</p>}
        {!check.error && check.exceeds && <p className="field-error">Exceeds your permissions: {check.exceeds}</p>}
        {!check.error && !check.exceeds && check.checking && <p className="hint">Checking against your permissions…</p>}
        {!check.error && !check.exceeds && !check.checking && check.statements && check.unchecked && (
          <p className="hint">
            Valid policy; not checked against your permissions yet: {check.unchecked}
          </p>
        )}
        {!check.error && !check.exceeds && !check.checking && check.statements && !check.unchecked && (
          <p className="hint ok">
            Valid policy ({check.statements.length} statement{check.statements.length === 1 ? '' : 's'}).
            {check.deferred > 0 && ` ${check.deferred} pattern${check.deferred === 1 ? '' : 's'} (*, notActions, notResources) will be checked by the server when you save.`}
          </p>
        )}
        {serverError && <p className="field-error">{serverError}</p>}
      </div>
    </div>
  );
}
