import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerProcess {
  url: string;
  ownerEmail: string;
  ownerPassword: string;
  child: ChildProcess;
  /** Asks the server for its lastUsed write counter (after a flush). */
  lastUsedWrites(): Promise<number>;
  /** Starts measuring the server's event-loop delay (once the server confirms); the returned function stops and reports it (ms). */
  measureLoopDelay(): Promise<() => Promise<{ p50Ms: number; p99Ms: number; maxMs: number }>>;
  stop(): Promise<void>;
}

const entry = fileURLToPath(new URL('./server-main.ts', import.meta.url));

/** Starts a Latchkey server in a child process (so load comes from another process). */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = fork(entry, [], {
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server process exited early (${code})`)));
    child.once('message', (message) => {
      const info = message as { url: string; ownerEmail: string; ownerPassword: string };
      child.removeAllListeners('exit');
      resolve({
        ...info,
        child,
        lastUsedWrites: () =>
          new Promise((res) => {
            child.once('message', (m) => res((m as { lastUsedWrites: number }).lastUsedWrites));
            child.send('stats');
          }),
        measureLoopDelay: () =>
          new Promise((started) => {
            child.once('message', () =>
              started(
                () =>
                  new Promise((res) => {
                    child.once('message', (m) => res((m as { loopDelay: { p50Ms: number; p99Ms: number; maxMs: number } }).loopDelay));
                    child.send('loop:stop');
                  }),
              ),
            );
            child.send('loop:start');
          }),
        stop: () =>
          new Promise((res) => {
            child.once('exit', () => res());
            child.send('stop');
          }),
      });
    });
  });
}
