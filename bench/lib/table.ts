/** A plain aligned table for the terminal. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  num: (n: number, digits = 2) => n.toFixed(digits),
  pct: (ratio: number) => `${(ratio * 100).toFixed(1)}%`,
  us: (ms: number) => `${(ms * 1000).toFixed(1)} µs`,
  ms: (ms: number) => `${ms.toFixed(2)} ms`,
};
