import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BackupsRpc, RestoreBackupRequest, RestoreRefRequest, type RestoreAccepted, type RestoreView } from '@saas/contracts';
import { RestoresService } from './restores.service.js';

@Controller()
export class RestoresController {
  constructor(private readonly restores: RestoresService) {}

  @MessagePattern(BackupsRpc.restore)
  restore(@Payload() req: RestoreBackupRequest): Promise<RestoreAccepted> {
    return this.restores.restore(req);
  }

  @MessagePattern(BackupsRpc.restoreGet)
  get(@Payload() req: RestoreRefRequest): Promise<RestoreView> {
    return this.restores.get(req);
  }
}
