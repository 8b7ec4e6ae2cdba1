import type { CombinedError } from 'urql';

/** One API error as the console shows it: the server's message, and what it is about. */
export interface ShownError {
  message: string;
  code?: string;
  /** BAD_USER_INPUT: the input field the server named. */
  field?: string;
  /** FORBIDDEN: the action and resource refused. */
  action?: string;
  resource?: string;
}

export function shownErrors(error: CombinedError | undefined | null): ShownError[] {
  if (!error) return [];
  if (error.graphQLErrors.length > 0) {
    return error.graphQLErrors.map((e) => {
      const ext = e.extensions ?? {};
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      return { message: e.message, code: str(ext.code), field: str(ext.field), action: str(ext.action), resource: str(ext.resource) };
    });
  }
  return [{ message: error.networkError?.message ? `Could not reach the server: ${error.networkError.message}` : error.message }];
}

export function isUnauthenticated(error: CombinedError | undefined | null): boolean {
  if (!error) return false;
  if (error.response && (error.response as Response).status === 401) return true;
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}
