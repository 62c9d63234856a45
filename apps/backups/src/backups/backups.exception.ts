import { BackupsErrorCodes, type BackupFailure } from '@saas/contracts';
import { DomainException } from '@saas/errors';

export class BackupsException extends DomainException {
  static backupNotFound(): BackupsException {
    return new BackupsException(BackupsErrorCodes.BACKUP_NOT_FOUND, 'No backup with that id for this tenant.', { status: 404 });
  }

  static restoreNotFound(): BackupsException {
    return new BackupsException(BackupsErrorCodes.RESTORE_NOT_FOUND, 'No restore with that id for this tenant.', { status: 404 });
  }

  static notDeletable(type: string): BackupsException {
    return new BackupsException(BackupsErrorCodes.BACKUP_NOT_DELETABLE, `Only manual backups can be deleted; this one is ${type} and follows its retention.`, { status: 409 });
  }

  static stillRunning(): BackupsException {
    return new BackupsException(BackupsErrorCodes.BACKUP_NOT_DELETABLE, 'The backup is still running; delete it once it has completed or failed.', { status: 409 });
  }

  static restoreInProgress(): BackupsException {
    return new BackupsException(BackupsErrorCodes.RESTORE_IN_PROGRESS, 'A restore of this tenant is running; try again once it has finished.', { status: 409 });
  }

  static notRestorable(status: string): BackupsException {
    return new BackupsException(BackupsErrorCodes.BACKUP_NOT_RESTORABLE, `Only a completed backup can be restored; this one is ${status}.`, { status: 409 });
  }

  /** BACKUP_CORRUPT: what is wrong with the archive, apart from what that means to a restore (a drill reports it as is). */
  archiveProblem?: string;

  static corrupt(why: string): BackupsException {
    const err = new BackupsException(BackupsErrorCodes.BACKUP_CORRUPT, `The backup cannot be restored: ${why}. The tenant was not touched.`, { status: 422 });
    err.archiveProblem = why;
    return err;
  }

  static drillNotFound(): BackupsException {
    return new BackupsException(BackupsErrorCodes.DRILL_NOT_FOUND, 'No restore drill with that id for this backup.', { status: 404 });
  }

  static adminsOnly(): BackupsException {
    return new BackupsException('FORBIDDEN', 'Only platform admins may do this.', { status: 403 });
  }

  static tenantHasNoData(): BackupsException {
    return new BackupsException(BackupsErrorCodes.TENANT_NOT_BACKUPABLE, 'This tenant has no database or instance to back up (yet, or any more).', { status: 409 });
  }
}

/** A failure of one part at one step, carried up to the row and the `*.failed` event. */
export class RunFailure extends Error {
  constructor(
    readonly failure: BackupFailure,
    readonly code: string = BackupsErrorCodes.BACKUP_FAILED,
  ) {
    super(failure.reason);
    this.name = 'RunFailure';
  }
}

/**
 * A restore's or a restore drill's failure at one of its steps, with the error code its record (and
 * `restore.failed` / `backup.verification_failed` event) carries.
 */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}
