import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import type { Actor } from './envelope.js';

/** Where a request came from, as the gateway saw it (for lockouts and the audit log). */
export class ClientInfoDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ip?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  user_agent?: string | null;
}

/** Who acts, as the gateway established it (JWT or API key). Services authorize from this only. */
export class CallerActorDto extends ClientInfoDto implements Actor {
  @IsIn(['user', 'api_key', 'service', 'system'])
  type!: Actor['type'];

  @IsOptional()
  @IsString()
  @MaxLength(100)
  id!: string | null;
}

export class CallerDto {
  @ValidateNested()
  @Type(() => CallerActorDto)
  actor!: CallerActorDto;

  @IsArray()
  @IsString({ each: true })
  roles!: string[];

  /** Plan tier of the user (rate limits, per-plan limits). */
  @IsOptional()
  @IsString()
  tier?: string;

  /** Set when the credential is bound to one tenant (an API key created for it). */
  @IsOptional()
  @IsUUID()
  tenant_id?: string | null;
}

export function isAdmin(caller: CallerDto | undefined | null): boolean {
  return !!caller?.roles?.includes('admin');
}

export function callerUserId(caller: CallerDto | undefined | null): string | null {
  return caller?.actor?.id ?? null;
}

/** The caller is the named platform service acting on its own behalf (never a user's credential). */
export function isServiceCaller(caller: CallerDto | undefined | null, service: string): boolean {
  return caller?.actor?.type === 'service' && caller.actor.id === service;
}
