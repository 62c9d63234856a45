import { ApiProperty } from '@nestjs/swagger';
import { eventSubject, EventTypes, ServiceNames, type DeadLetterReplayResult, type DeadLetterView, type Page, type ServiceName } from '@saas/contracts';
import { DateTime, Int, NestedList, NullableDateTime, NullableStr, NullableUuid, OneOf, Str, Uuid } from '../../http/view-properties.js';
import type { UnavailableService } from '../dead-letters.service.js';

export class DeadLetterViewDto implements DeadLetterView {
  @Uuid() id!: string;
  @OneOf(ServiceNames) service!: string;
  @Str('The durable consumer that parked it.') consumer!: string;
  @Str(undefined, { example: eventSubject(EventTypes.TenantCreated) }) subject!: string;
  @NullableUuid() event_id!: string | null;
  @NullableStr() type!: string | null;
  @Str() error!: string;
  @Int() attempts!: number;
  @OneOf(['parked', 'replayed']) status!: DeadLetterView['status'];
  @DateTime() parked_at!: string;
  @NullableDateTime() replayed_at!: string | null;
  @Str('The message as received (raw text: it may not be valid JSON).') payload!: string;
}

class UnavailableServiceDto implements UnavailableService {
  @OneOf(ServiceNames) service!: ServiceName;
  @Str() code!: string;
  @Str() detail!: string;
}

/** A page of dead letters; a merged listing names the services that did not answer. */
export class DeadLetterPageDto implements Page<DeadLetterView> {
  @Int() count!: number;
  @NullableStr(undefined, { format: 'uri' }) next!: string | null;
  @NullableStr(undefined, { format: 'uri' }) previous!: string | null;
  @NestedList(DeadLetterViewDto) results!: DeadLetterViewDto[];
  @ApiProperty({ type: [UnavailableServiceDto], required: false, description: 'Services that did not answer a merged listing.' }) unavailable?: UnavailableServiceDto[];
}

export class DeadLetterReplayResultDto implements DeadLetterReplayResult {
  @Uuid() id!: string;
  @OneOf(['replayed', 'parked']) status!: DeadLetterReplayResult['status'];
  @ApiProperty({ type: String, required: false, description: 'Still parked: the new error.' }) error?: string;
}
