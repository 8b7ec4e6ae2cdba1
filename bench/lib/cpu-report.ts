/**
 * For benchmark servers in child processes: answers 'cpu' over IPC with the process's own CPU time
 * and resident memory, so the load generator's CPU (in the parent) is never counted.
 */
export function reportCpuOverIpc(): void {
  process.on('message', (message: unknown) => {
    if (message !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system, rssBytes: process.memoryUsage().rss });
  });
}
