import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ServiceNames, type ServiceName } from '@saas/contracts';
import { Bool, DateTime, Int, Nested, NestedList, NullableInt, NullableStr, Num, OneOf, Str } from '../http/view-properties.js';
import type { ComponentHealth, ConsumerLag, DetailedHealth, JetStreamHealth, Readiness, RevocationsHealth, ServiceEntry, OverallStatus } from './health.types.js';

const optional = (options: Record<string, unknown>) => ApiProperty({ required: false, ...options });

export class LivenessDto {
  @OneOf(['ok']) status!: 'ok';
  @Str(undefined, { example: '0.1.0' }) version!: string;
  @DateTime() timestamp!: string;
}

export class ComponentHealthDto implements ComponentHealth {
  @OneOf(['ok', 'down']) status!: 'ok' | 'down';
  @optional({ type: 'number', description: 'Milliseconds.' }) latency_ms?: number;
  @optional({ type: String, description: 'What is wrong, when down.' }) detail?: string;
}

class RevocationReaderDto {
  @Str() filter!: string;
  @Bool() caught_up!: boolean;
  @NullableInt() next_seq!: number | null;
  @NullableStr() last_error!: string | null;
}

export class RevocationsHealthDto extends ComponentHealthDto implements RevocationsHealth {
  @NestedList(RevocationReaderDto) readers!: RevocationReaderDto[];
}

/** `GET /ready`: 200 when `ok`, 503 (same body) otherwise. */
export class ReadinessDto implements Readiness {
  @OneOf(['ok', 'down']) status!: 'ok' | 'down';
  @DateTime() timestamp!: string;
  @Nested(ComponentHealthDto) nats!: ComponentHealthDto;
  @Nested(RevocationsHealthDto) revocations!: RevocationsHealthDto;
}

class CheckDto {
  @OneOf(['ok', 'down']) status!: 'ok' | 'down';
  @optional({ type: 'number', description: 'Milliseconds.' }) latency_ms?: number;
  @optional({ type: String }) detail?: string;
}

class ServiceConsumerDto {
  @Str() name!: string;
  @Int() pending!: number;
  @Int() ack_pending!: number;
  @Int() redelivered!: number;
}

/** A service that answered its health RPC. */
export class ServiceUpDto {
  @OneOf(['ok', 'degraded', 'down']) status!: 'ok' | 'degraded' | 'down';
  @Num('Milliseconds.') latency_ms!: number;
  @Str() version!: string;
  @Num() uptime_s!: number;
  @Str('The replica that answered.') instance!: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: getSchemaPath(CheckDto) }, description: 'Its own checks (postgres, outbox, …).' })
  checks!: Record<string, CheckDto>;
  @optional({ type: [ServiceConsumerDto] }) consumers?: ServiceConsumerDto[];
  @optional({ type: 'integer' }) dead_letters?: number;
}

class ServiceErrorDto {
  @Str(undefined, { example: 'SERVICE_UNAVAILABLE' }) code!: string;
  @Str() detail!: string;
}

/** A service that did not answer. */
export class ServiceDownDto {
  @OneOf(['down']) status!: 'down';
  @Num('Milliseconds.') latency_ms!: number;
  @Nested(ServiceErrorDto) error!: ServiceErrorDto;
}

class GatewayInfoDto {
  @OneOf(['ok']) status!: 'ok';
  @Str() version!: string;
  @Str() instance!: string;
  @Num() uptime_s!: number;
}

class StreamInfoDto {
  @Str() name!: string;
  @Int() messages!: number;
  @Int() bytes!: number;
  @Int() first_seq!: number;
  @Int() last_seq!: number;
  @Int() consumer_count!: number;
}

class ConsumerLagDto implements ConsumerLag {
  @OneOf(ServiceNames) service!: ServiceName;
  @Str() name!: string;
  @Int() pending!: number;
  @Int() ack_pending!: number;
  @Int() redelivered!: number;
}

class JetStreamHealthDto extends ComponentHealthDto implements JetStreamHealth {
  @optional({ type: StreamInfoDto }) stream?: StreamInfoDto;
  @NestedList(ConsumerLagDto) consumers!: ConsumerLagDto[];
}

/** `GET /health/detailed`: 200 when everything is ok, 503 (same body) otherwise. */
@ApiExtraModels(ServiceUpDto, ServiceDownDto, CheckDto)
export class DetailedHealthDto implements DetailedHealth {
  @OneOf(['ok', 'degraded', 'down']) status!: OverallStatus;
  @Str() version!: string;
  @DateTime() timestamp!: string;
  @Num('Milliseconds.') duration_ms!: number;
  @Nested(GatewayInfoDto) gateway!: GatewayInfoDto;
  @ApiProperty({
    type: 'object',
    description: 'Each service by name.',
    properties: Object.fromEntries(ServiceNames.map((name) => [name, { oneOf: [{ $ref: getSchemaPath(ServiceUpDto) }, { $ref: getSchemaPath(ServiceDownDto) }] }])),
    required: [...ServiceNames],
  })
  services!: Record<ServiceName, ServiceEntry>;
  @Nested(ComponentHealthDto) postgres!: ComponentHealthDto;
  @Nested(ComponentHealthDto) nats!: ComponentHealthDto;
  @Nested(JetStreamHealthDto) jetstream!: JetStreamHealthDto;
  @Nested(RevocationsHealthDto) revocations!: RevocationsHealthDto;
}

/** `GET /api/health` (seed 003): healthy only when every part answers; 503 (same shape) otherwise. */
export class LegacyHealthDto {
  @OneOf(['healthy', 'unhealthy']) status!: 'healthy' | 'unhealthy';
  @Str(undefined, { example: 'Control Plane API is running' }) message!: string;
  @optional({ type: [String], description: 'The parts that are not ok (`services.billing`, `postgres`, …).' }) problems?: string[];
}
