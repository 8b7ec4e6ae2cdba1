import { createContext, useContext, useId, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { types } from '@latchkey/sdk';

/**
 * What the signed-in credential may do. Every answer comes from the server's checkAccess: the
 * console holds no copy of the permission rules, it only asks and shows the reason it is given.
 */
export type Decision = types.DecisionFieldsFragment;
export type Permissions = Omit<types.ConsolePermissionsQuery, '__typename'>;

/**
 * Resource names speak of raw ids; GraphQL gives Relay global ids (base64 of `Type:id`).
 * This decodes one for building a resource name to ask checkAccess about.
 */
export function rawIdOf(globalId: string): string {
  try {
    const decoded = atob(globalId);
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : globalId;
  } catch {
    return globalId;
  }
}

export function tokenResourceOf(token: { id: string; kind: string; owner?: { id: string } | null }): string {
  return token.kind === 'SERVICE' ? `service-token/${rawIdOf(token.id)}` : `member/${rawIdOf(token.owner?.id ?? '')}:token/${rawIdOf(token.id)}`;
}

/** Why a decision refused, in the server's words. */
export function refusal(decision: Decision | null | undefined): string | null {
  if (!decision) return 'checking your permissions…';
  if (decision.allowed) return null;
  // The server's reason usually names the action and resource already; say them once.
  if (decision.reason.includes(decision.action)) return `Not allowed: ${decision.reason}`;
  return `You may not ${decision.action} on ${decision.resource}: ${decision.reason}`;
}

const PermissionsContext = createContext<Permissions | null>(null);

export function PermissionsProvider({ memberId, children }: { memberId: string; children: ReactNode }) {
  const [result] = useQuery({
    query: types.ConsolePermissionsDocument,
    variables: { ownToken: `member/${rawIdOf(memberId)}:token/*` },
    requestPolicy: 'network-only',
  });
  return <PermissionsContext.Provider value={result.data ?? null}>{children}</PermissionsContext.Provider>;
}

/** null while the server has not answered yet (controls stay disabled meanwhile). */
export function usePermissions(): Permissions | null {
  return useContext(PermissionsContext);
}

/**
 * A button the server may refuse: disabled with the server's reason beside it (and announced
 * with the button, through aria-describedby) when `decision` is not allowed.
 */
export function GuardedButton({
  decision,
  children,
  onClick,
  type = 'button',
  className,
  busy,
}: {
  decision: Decision | null | undefined;
  children: ReactNode;
  onClick?: () => void;
  type?: 'button' | 'submit';
  className?: string;
  busy?: boolean;
}) {
  const id = useId();
  const reason = refusal(decision);
  return (
    <span className="guarded">
      <button type={type} className={className} disabled={reason !== null || busy} aria-describedby={reason ? id : undefined} onClick={onClick}>
        {children}
      </button>
      {reason && (
        <span id={id} className="reason">
          {reason}
        </span>
      )}
    </span>
  );
}
