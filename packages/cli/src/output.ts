import Table from 'cli-table3';
import pc from 'picocolors';

/** Where a command writes: the process streams in real use, buffers in unit tests. */
export interface Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

type Colors = ReturnType<typeof pc.createColors>;

export interface Column {
  header: string;
  /** Right-align numbers and dates so they line up. */
  align?: 'left' | 'right';
  /** Never cut to fit the terminal (short fields: kinds, dates, counts); the others share the rest. */
  keep?: boolean;
}

/**
 * Output for people and for scripts. On a terminal: aligned tables and colours. Piped: the
 * same rows as tab-separated values, no header, no colour (like `gh`), so `cut -f1` works.
 * With `--json`: one JSON document per command on stdout, shaped by ./shapes.ts.
 * Notes and errors go to stderr, so stdout only ever holds the answer.
 */
export class Output {
  readonly tty: boolean;
  /** Colours for stdout (off when piped, with NO_COLOR or --no-color; on with FORCE_COLOR). */
  readonly c: Colors;
  /** Colours for stderr. */
  readonly ce: Colors;

  constructor(
    readonly streams: Streams,
    readonly json: boolean,
    color: boolean | undefined,
    /** `--wide`: tables at their full width, never truncated. */
    readonly wide = false,
  ) {
    this.tty = streams.stdout.isTTY === true;
    this.c = pc.createColors(colorEnabled(streams.env, this.tty, color));
    this.ce = pc.createColors(colorEnabled(streams.env, streams.stderr.isTTY === true, color));
  }

  /** A line of the answer, on stdout. */
  line(text = ''): void {
    this.streams.stdout.write(text + '\n');
  }

  /** The answer as JSON (stable shapes: see shapes.ts). */
  data(value: unknown): void {
    this.streams.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** A note for the person at the terminal, on stderr (never mixed into the answer). */
  note(text: string): void {
    this.streams.stderr.write(text + '\n');
  }

  /** `CODE: message` on stderr. */
  error(code: string, message: string): void {
    this.streams.stderr.write(`${this.ce.red(this.ce.bold(code))}: ${message}\n`);
  }

  /**
   * Rows under headers: a borderless aligned table on a terminal, fitted to its width (80
   * columns when it does not say) by truncating the widest cells with `…` — `--wide` shows them
   * whole; TSV when piped, never truncated.
   */
  table(columns: readonly Column[], rows: ReadonlyArray<ReadonlyArray<string>>): void {
    if (!this.tty) {
      for (const row of rows) this.line(row.map(plainCell).join('\t'));
      return;
    }
    if (rows.length === 0) {
      this.note(this.ce.dim('(none)'));
      return;
    }
    const natural = columns.map((col, i) => Math.max(col.header.length, ...rows.map((row) => visibleLength(row[i] ?? ''))) + GAP);
    const width = this.streams.stdout.columns || 80;
    const table = new Table({
      head: columns.map((col) => this.c.bold(col.header)),
      colAligns: columns.map((col) => col.align ?? 'left'),
      // The last column's gap is trimmed from every line, so it may reach the edge.
      ...(this.wide ? {} : { colWidths: fitWidths(columns, natural, width + GAP), truncate: '…' }),
      chars: BORDERLESS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': GAP },
    });
    for (const row of rows) table.push([...row]);
    this.line(table.toString().split('\n').map((l) => l.trimEnd()).join('\n'));
  }

  /** Label/value pairs, labels aligned (one object shown to a person). Piped: `label<TAB>value`. */
  details(pairs: ReadonlyArray<readonly [string, string]>): void {
    if (!this.tty) {
      for (const [label, value] of pairs) this.line(`${label}\t${plainCell(value)}`);
      return;
    }
    const width = Math.max(0, ...pairs.map(([label]) => label.length));
    for (const [label, value] of pairs) this.line(`${this.c.dim(label.padEnd(width))}  ${value}`);
  }
}

/** Spaces between columns. */
const GAP = 2;

/**
 * Column widths that fit `total`: `keep` columns keep their width; of the others, those narrower
 * than a cap keep theirs and the wider ones are cut to the cap (the largest cap that fits). A
 * header is never cut, so a very narrow terminal overflows rather than showing nothing useful.
 */
export function fitWidths(columns: readonly Column[], natural: readonly number[], total: number): number[] {
  const sum = (widths: readonly number[]) => widths.reduce((a, b) => a + b, 0);
  const widths = (cap: number) => natural.map((w, i) => (columns[i]?.keep ? w : Math.max(Math.min(w, cap), (columns[i]?.header.length ?? 0) + GAP)));
  let cap = Math.max(...natural);
  while (cap > 0 && sum(widths(cap)) > total) cap--;
  return widths(cap);
}

/** Length as shown: colour escapes take no room. */
function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '',
};

/** Tabs and newlines inside a value would break TSV rows. */
function plainCell(value: string): string {
  return value.replace(/[\t\n\r]+/g, ' ');
}

function colorEnabled(env: NodeJS.ProcessEnv, tty: boolean, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if ('NO_COLOR' in env && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return tty && env.TERM !== 'dumb';
}
