import type { Streams } from './output.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  /** Changes the text shown beside the spinner. */
  update(text: string): void;
  /** Clears the line (the caller then prints the result). */
  stop(): void;
}

/**
 * A spinner with elapsed seconds on stderr, for operations that take a while (audit verify on
 * a large log). Only on a terminal and never with --json: piped output and CI logs stay clean.
 * Hand-rolled (a dozen lines) rather than ora, which would bring five dependencies for this.
 */
export function startProgress(streams: Streams, text: string, enabled: boolean): Progress {
  const stderr = streams.stderr;
  if (!enabled || stderr.isTTY !== true) return { update() {}, stop() {} };
  const started = Date.now();
  let frame = 0;
  let current = text;
  const draw = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length] ?? ''} ${current} ${seconds}s`);
  };
  draw();
  const timer = setInterval(draw, 80);
  return {
    update(next) {
      current = next;
    },
    stop() {
      clearInterval(timer);
      stderr.write('\r\x1b[2K');
    },
  };
}
