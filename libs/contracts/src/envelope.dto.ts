import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, isIn, isInt, isISO8601, isObject, isUUID, Matches, matches, Min, min, ValidateNested } from 'class-validator';
import type { Actor, EventEnvelope } from './envelope.js';

const ACTOR_TYPES = ['user', 'api_key', 'service', 'system'];
const EVENT_TYPE = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;

export class ActorDto implements Actor {
  @IsIn(ACTOR_TYPES)
  type!: Actor['type'];

  @IsOptional()
  @IsString()
  id!: string | null;

  @IsOptional()
  @IsString()
  ip?: string | null;

  @IsOptional()
  @IsString()
  user_agent?: string | null;
}

/** Checks an incoming envelope before any handler sees it; `data` is checked by the handler's own class. */
export class EventEnvelopeDto implements EventEnvelope {
  @IsUUID()
  id!: string;

  @Matches(EVENT_TYPE, { message: 'type must look like aggregate.verb' })
  type!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601({ strict: true })
  occurred_at!: string;

  @IsOptional()
  @IsUUID()
  tenant_id!: string | null;

  @ValidateNested()
  @Type(() => ActorDto)
  actor!: ActorDto;

  @IsOptional()
  @IsString()
  correlation_id!: string | null;

  @IsOptional()
  @IsString()
  causation_id!: string | null;

  @IsObject()
  data!: Record<string, unknown>;
}

const omittedOrString = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/**
 * The envelope as `validatePayload(EventEnvelopeDto, plain, …, { unknownFields: 'keep' })` returns
 * it, when every field plainly passes the same rules (class-validator's own functions, those the
 * decorators above call); null when anything does not — the caller then validates the class way,
 * which says what is wrong. Consumers check every event's envelope, and class-validator's metadata
 * lookup per object was most of that (a fifth of the webhooks consumer thread in a burst).
 * Accepts nothing `validatePayload` refuses (envelope.dto.spec.ts checks the two side by side).
 */
export function plainlyValidEnvelope(plain: unknown): EventEnvelopeDto | null {
  if (!isObject(plain)) return null;
  const p = plain as Record<string, unknown>;
  const actor = p.actor as Record<string, unknown> | undefined;
  // Object.assign would set a `__proto__` key (JSON.parse makes it an own property) as the prototype.
  if (Object.hasOwn(p, '__proto__') || (isObject(actor) && Object.hasOwn(actor, '__proto__'))) return null;
  const valid =
    isUUID(p.id) &&
    matches(p.type as string, EVENT_TYPE) &&
    isInt(p.version) &&
    min(p.version, 1) &&
    isISO8601(p.occurred_at, { strict: true }) &&
    (p.tenant_id === undefined || p.tenant_id === null || isUUID(p.tenant_id)) &&
    omittedOrString(p.correlation_id) &&
    omittedOrString(p.causation_id) &&
    isObject(p.data) &&
    isObject(actor) &&
    isIn(actor.type, ACTOR_TYPES) &&
    omittedOrString(actor.id) &&
    omittedOrString(actor.ip) &&
    omittedOrString(actor.user_agent);
  if (!valid) return null;
  return Object.assign(new EventEnvelopeDto(), p, { actor: Object.assign(new ActorDto(), actor) });
}
