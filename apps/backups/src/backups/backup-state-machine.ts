import type { BackupStatus, RestoreStatus } from '@saas/contracts';
import { DomainException } from '@saas/errors';

/**
 * Backups and restores have one shape of life: `pending → running → completed | failed`. There is
 * no "partially failed": a run ends in exactly one of the two, and only `completed` is ever offered
 * for restore. A `pending` one may fail without running (its tenant went away, say).
 */
const TRANSITIONS: Readonly<Record<BackupStatus, readonly BackupStatus[]>> = Object.freeze({
  pending: ['running', 'failed'],
  running: ['completed', 'failed'],
  completed: [],
  failed: [],
});

export class InvalidRunTransition extends DomainException {
  constructor(from: string, to: string) {
    super('CONFLICT', `A backup or restore that is ${from} cannot become ${to}.`, { status: 409 });
  }
}

export function canTransition(from: BackupStatus | RestoreStatus, to: BackupStatus | RestoreStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: BackupStatus | RestoreStatus, to: BackupStatus | RestoreStatus): void {
  if (!canTransition(from, to)) throw new InvalidRunTransition(from, to);
}

export function isFinished(status: BackupStatus | RestoreStatus): boolean {
  return status === 'completed' || status === 'failed';
}
