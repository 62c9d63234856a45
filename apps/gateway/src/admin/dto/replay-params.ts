import { IsIn, IsUUID } from 'class-validator';
import { ServiceNames, type ServiceName } from '@saas/contracts';

export class ReplayParams {
  @IsIn(ServiceNames)
  service!: ServiceName;

  @IsUUID()
  id!: string;
}
