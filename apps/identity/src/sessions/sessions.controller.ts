import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CheckSessionRequest, IdentityRpc, type SessionCheckView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { SessionsService } from './sessions.service.js';

@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** The gateway asks while it cannot trust its revocation list (its event reader is behind or stopped). */
  @RpcHandler(IdentityRpc.sessionsCheck)
  async check(@Payload() req: CheckSessionRequest): Promise<SessionCheckView> {
    return { active: await this.sessions.isLive(req.user_id, req.session_id) };
  }
}
