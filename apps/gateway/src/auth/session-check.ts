import { Injectable } from '@nestjs/common';
import { IdentityRpc } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import type { Principal } from './principal.js';

/**
 * Asks identity whether an access token's session is still live. Used only while the revocation
 * list is not trusted (its reader is behind or stopped): then a token's signature is not enough.
 * Concurrent checks of one session share one RPC; identity being unavailable fails the request
 * (503/504), never lets it through.
 */
@Injectable()
export class SessionCheck {
  private readonly inflight = new Map<string, Promise<boolean>>();

  constructor(private readonly rpc: RpcClient) {}

  isLive(p: Principal): Promise<boolean> {
    const sid = p.claims?.sid;
    const key = `${p.userId}:${sid ?? ''}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.rpc
        .call(IdentityRpc.sessionsCheck, { user_id: p.userId, ...(sid ? { session_id: sid } : {}) })
        .then((v) => v.active === true)
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }
}
