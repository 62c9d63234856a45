/**
 * How a platform process talks to whoever started it (the `npm start` launcher, a test harness):
 * readiness goes over the IPC channel, not through logs, so it works at any LOG_LEVEL; and a process
 * whose parent died stops itself gracefully instead of living on as an orphan.
 */
export interface ReadyMessage {
  type: 'ready';
  name: string;
  [detail: string]: unknown;
}

export function announceReady(name: string, details: Record<string, unknown> = {}): void {
  if (process.send && process.connected) process.send({ type: 'ready', name, ...details } satisfies ReadyMessage);
}

export function stopWhenParentGoes(stop: (reason: string) => void): void {
  if (process.connected) process.once('disconnect', () => stop('parent process gone'));
}
