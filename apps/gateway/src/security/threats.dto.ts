import { OmitType } from '@nestjs/swagger';
import { ListThreatsRequest, ThreatActionRequest } from '@saas/contracts';
import { documented, required, str } from '../identity/dto/documented.js';

export class ThreatsQuery extends OmitType(ListThreatsRequest, ['caller'] as const) {}

export class ThreatActionBody extends documented(class extends OmitType(ThreatActionRequest, ['caller'] as const) {}, {
  action: required({ enum: ['block', 'unblock'], description: 'Block the target at every gateway replica, or lift its block.' }),
  target_type: required({ enum: ['ip', 'cidr', 'api_key'] }),
  target: required(str('An IPv4/IPv6 address, a CIDR (`203.0.113.0/24`), or the id of an API key.', { example: '203.0.113.7' })),
  reason: str('Why (required to block).', { maxLength: 500, example: 'credential stuffing' }),
  expires_at: str('When a block lifts by itself (ISO 8601, future).', { format: 'date-time' }),
}) {}
