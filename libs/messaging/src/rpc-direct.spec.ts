import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Controller, UseGuards } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { IsInt } from 'class-validator';
import { DomainException } from '@saas/errors';
import { directRpcHandlers } from './rpc-direct.js';
import { UncheckedRpcHandler } from './rpc-handler.decorator.js';

class CountRequest {
  @IsInt()
  n!: number;
}

@Controller()
class Fixture {
  @UncheckedRpcHandler('rpc.fixture.count')
  count(@Payload() request: CountRequest): { doubled: number; isInstance: boolean } {
    return { doubled: request.n * 2, isInstance: request instanceof CountRequest };
  }

  @UncheckedRpcHandler('rpc.fixture.none')
  none(): string {
    return 'ok';
  }

  @UncheckedRpcHandler('rpc.fixture.context')
  context(@Payload() request: CountRequest, @Ctx() ctx: unknown): unknown {
    return [request, ctx];
  }

  @UncheckedRpcHandler('rpc.fixture.guarded')
  @UseGuards(class {
    canActivate() {
      return false;
    }
  })
  guarded(@Payload() request: CountRequest): unknown {
    return request;
  }
}

describe('directRpcHandlers', () => {
  const handlers = directRpcHandlers((controller) => (controller === Fixture ? new Fixture() : undefined));

  it('answers payload-only routes directly, and leaves to Nest those that need its pipeline (a context argument, a guard)', () => {
    expect([...handlers.keys()].filter((s) => s.startsWith('rpc.fixture.')).sort()).toEqual(['rpc.fixture.count', 'rpc.fixture.none']);
  });

  it('validates the payload against the request class before the handler runs', async () => {
    await expect(handlers.get('rpc.fixture.count')!({ n: 21 })).resolves.toEqual({ doubled: 42, isInstance: true });
    const refused = await handlers.get('rpc.fixture.count')!({ n: 'x', extra: 1 }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DomainException);
    expect((refused as DomainException).code).toBe('VALIDATION_FAILED');
    expect((refused as DomainException).errors?.map((e) => e.field).sort()).toEqual(['extra', 'n']);
  });

  it('skips routes whose controller is not this application\'s', () => {
    expect(directRpcHandlers(() => undefined).size).toBe(0);
  });
});
