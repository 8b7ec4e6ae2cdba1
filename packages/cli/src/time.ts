import { usageError } from './errors.ts';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `90s`, `15m`, `1h`, `30d`, `2w` (or `0`) → milliseconds; a usage error names the option otherwise. */
export function parseDuration(text: string, option: string): number {
  if (text === '0') return 0;
  const match = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  const unit = match?.[2] ? UNIT_MS[match[2]] : undefined;
  if (!match || unit === undefined) throw usageError(`${option}: expected a duration such as 90s, 15m, 1h, 30d or 2w, got "${text}"`);
  return Number(match[1]) * unit;
}

/** A duration from now, as the ISO date the API takes. */
export function inFuture(text: string, option: string, now = Date.now()): string {
  return new Date(now + parseDuration(text, option)).toISOString();
}

/**
 * A point in time for filters: an ISO date (`2025-01-31`, `2025-01-31T12:00:00Z`) or a duration
 * meaning that long ago (`--since 7d`).
 */
export function parseWhen(text: string, option: string, now = Date.now()): string {
  if (/^\d+\s*[smhdw]$/.test(text.trim())) return new Date(now - parseDuration(text, option)).toISOString();
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw usageError(`${option}: expected an ISO date (2025-01-31T12:00:00Z) or a duration ago (7d), got "${text}"`);
  }
  return date.toISOString();
}

/** A date for people: `2025-01-31 12:00` in UTC, or "-". */
export function shortDate(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').slice(0, 16);
}

/** "in 3d", "2h ago", for expiry columns. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const delta = new Date(iso).getTime() - now;
  const abs = Math.abs(delta);
  const [n, unit] =
    abs >= 86_400_000 ? [Math.round(abs / 86_400_000), 'd'] : abs >= 3_600_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.max(1, Math.round(abs / 60_000)), 'm'];
  return delta >= 0 ? `in ${n}${unit}` : `${n}${unit} ago`;
}
