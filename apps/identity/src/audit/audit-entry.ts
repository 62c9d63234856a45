import type { EventEnvelope } from '@saas/contracts';
import { redactSecrets } from './redact.js';

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId: string | null;
  oldValues: Record<string, unknown> | null;
  newValues: Record<string, unknown> | null;
}

/**
 * The action as seed 002's audit log spells it (`create`, `update`, `delete`, `login`, `logout`),
 * from an event type's verb; verbs with no such word (`revoked`, `token_reuse_detected`) stay as
 * they are. The event type itself is kept beside it (`event_type`).
 */
const SEED_ACTIONS: Record<string, string> = {
  created: 'create',
  updated: 'update',
  deleted: 'delete',
  logged_in: 'login',
  logged_out: 'logout',
};

/** `created` or `create` → `create`: the audit filter takes either spelling. */
export function auditAction(verb: string): string {
  return SEED_ACTIONS[verb] ?? verb;
}

/** Every verb that reads as `action`, for migrating stored rows. */
export const SEED_ACTION_VERBS = Object.freeze({ ...SEED_ACTIONS });

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * What the audit log keeps of an event: the verb and aggregate of its type, the resource id
 * (`<aggregate>_id`, else `id`), and old/new values from `data.old`/`data.new`, else `data.changes`
 * (`{old, new}` or a plain object of new values), else the whole data as new values; secrets redacted.
 */
export function toAuditEntry(event: EventEnvelope): AuditEntry {
  const dot = event.type.lastIndexOf('.');
  const resourceType = dot > 0 ? event.type.slice(0, dot) : event.type;
  const action = auditAction(dot > 0 ? event.type.slice(dot + 1) : event.type);
  const data = isObject(event.data) ? event.data : {};
  const rawId = data[`${resourceType.split('.').pop()}_id`] ?? data.id;
  const resourceId = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : null;

  let oldValues: unknown = null;
  let newValues: unknown;
  if ('old' in data || 'new' in data) {
    oldValues = data.old ?? null;
    newValues = data.new ?? null;
  } else if (isObject(data.changes) && ('old' in data.changes || 'new' in data.changes)) {
    oldValues = data.changes.old ?? null;
    newValues = data.changes.new ?? null;
  } else if (isObject(data.changes)) {
    newValues = data.changes;
  } else {
    newValues = data;
  }
  const asRecord = (v: unknown) => (v === null || v === undefined ? null : isObject(v) ? v : { value: v });
  return {
    action,
    resourceType,
    resourceId,
    oldValues: redactSecrets(asRecord(oldValues)),
    newValues: redactSecrets(asRecord(newValues)),
  };
}
