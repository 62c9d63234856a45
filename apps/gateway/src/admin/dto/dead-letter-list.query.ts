import { IsIn, IsOptional } from 'class-validator';
import { ServiceNames, type ServiceName } from '@saas/contracts';
import { PageQuery } from '../../http/list.js';

export const DeadLetterStatuses = ['parked', 'replayed'] as const;
export type DeadLetterStatus = (typeof DeadLetterStatuses)[number];

export class DeadLetterListQuery extends PageQuery {
  /** One service; all six when absent. */
  @IsOptional()
  @IsIn(ServiceNames)
  service?: ServiceName;

  @IsOptional()
  @IsIn(DeadLetterStatuses)
  status: DeadLetterStatus = 'parked';
}
