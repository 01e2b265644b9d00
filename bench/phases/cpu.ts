/** CPU seconds (user + system, every thread) this process has used: steadier than wall time on a shared machine. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1e4) / 100;
}
