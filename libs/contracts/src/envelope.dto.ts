import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Min, ValidateNested } from 'class-validator';
import type { Actor, EventEnvelope } from './envelope.js';

export class ActorDto implements Actor {
  @IsIn(['user', 'api_key', 'service', 'system'])
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

  @Matches(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/, { message: 'type must look like aggregate.verb' })
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
