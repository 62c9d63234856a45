import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CreateTenantRequest, TenantRefRequest, TenantsRpc, type TenantView } from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { DomainException } from '@saas/errors';

/**
 * Test double of the two tenants subjects a clone calls, over real NATS: `create` records the request
 * and answers a `pending` tenant (a subdomain in `taken` is refused as the real service refuses it);
 * `get` answers the status the test set.
 */
export class FakeTenantsState {
  readonly created: CreateTenantRequest[] = [];
  readonly tenants = new Map<string, TenantView>();
  readonly taken = new Set<string>();
}

export const fakeTenants = new FakeTenantsState();

@Controller()
class FakeTenantsController {
  @RpcHandler(TenantsRpc.create)
  create(@Payload() req: CreateTenantRequest): TenantView {
    if (req.subdomain && fakeTenants.taken.has(req.subdomain)) throw new DomainException('INVALID_SUBDOMAIN', `The subdomain "${req.subdomain}" is already taken.`, { status: 409 });
    fakeTenants.created.push(req);
    const tenant = {
      id: randomUUID(),
      name: req.name,
      slug: req.subdomain!,
      subdomain: req.subdomain!,
      plan: req.plan ?? 'standard',
      database_strategy: req.database_strategy ?? 'dedicated',
      status: 'pending',
      owner_id: req.caller.actor.id!,
      metadata: req.metadata ?? {},
    } as TenantView;
    fakeTenants.tenants.set(tenant.id, tenant);
    return tenant;
  }

  @RpcHandler(TenantsRpc.get)
  get(@Payload() req: TenantRefRequest): TenantView {
    const found = fakeTenants.tenants.get(req.id);
    if (!found) throw new DomainException('TENANT_NOT_FOUND', 'No such tenant.', { status: 404 });
    return found;
  }
}

@Module({ controllers: [FakeTenantsController] })
export class FakeTenantsModule {}
