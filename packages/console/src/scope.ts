import { useEffect, useState } from 'react';
import { useClient, type AnyVariables, type CombinedError, type TypedDocumentNode } from 'urql';
import { types } from '@latchkey/sdk';

/**
 * What a new token may be given, decided by the server's checkTokenScope: a dry run of
 * createToken with the very same guard, caps and no-escalation rule, nothing created. The
 * console never approximates it: the form's choices and its inline policy are asked as they are.
 */
export type ScopeCheck = types.TokenScopeFieldsFragment;

/** A dry run needs a name; the name never changes what a token may do, so a blank one is sent as this. */
export const DRY_RUN_NAME = 'new token';

/**
 * The first action and resource the token would have beyond yours, or null when the refusal is
 * of creating this very token (a cap, or the createAccessToken guard on its new resource).
 */
export function firstBeyond(check: ScopeCheck): string | null {
  if (check.allowed || !check.action) return null;
  const ownResource = /(^service-token\/|:token\/)[0-9a-z]+$/.test(check.resource ?? '');
  if (check.action === 'createAccessToken' && ownResource) return null;
  return `${check.action} on ${check.resource ?? '?'}`;
}

/** Why the server would refuse this token, in its words (null when it would create it). */
export function scopeRefusal(check: ScopeCheck | null | undefined): string | null {
  if (!check) return 'checking your permissions…';
  if (check.allowed) return null;
  const reason = check.reason ?? 'not within your permissions';
  const beyond = firstBeyond(check);
  // The server's reason usually names the first exceeding action already; say it once.
  if (!beyond || reason.includes(beyond)) return `Not allowed: ${reason}`;
  return `Not allowed: ${reason} (first beyond your permissions: ${beyond})`;
}

export interface DryRun<Data> {
  /** One answer per request, in order; null until every answer for the current input arrived. */
  data: Data[] | null;
  error: CombinedError | null;
  /** Waiting for the debounce or the server. */
  checking: boolean;
}

/**
 * Asks `document` with each of `requests` once they have stopped changing for `delay` ms.
 * Answers for an input that has since changed are dropped: only the current input's are shown.
 * `requests` null asks nothing.
 */
export function useDryRun<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, requests: Variables[] | null, delay = 300): DryRun<Data> {
  const client = useClient();
  const key = requests === null ? null : JSON.stringify(requests);
  const [answer, setAnswer] = useState<{ key: string; data: Data[] | null; error: CombinedError | null } | null>(null);
  useEffect(() => {
    if (key === null) return;
    let current = true;
    const timer = setTimeout(() => {
      const variables = JSON.parse(key) as Variables[];
      void Promise.all(variables.map((v) => client.query(document, v, { requestPolicy: 'network-only' }).toPromise())).then((results) => {
        if (!current) return;
        const error = results.find((r) => r.error)?.error ?? null;
        setAnswer({ key, error, data: error ? null : results.map((r) => r.data as Data) });
      });
    }, delay);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, document, key, delay]);
  const fresh = key !== null && answer?.key === key ? answer : null;
  return { data: fresh?.data ?? null, error: fresh?.error ?? null, checking: key !== null && fresh === null };
}
