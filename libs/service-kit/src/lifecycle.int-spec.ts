import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { TestEnv } from '@saas/testing';
import { bootstrapService, type RunningService } from './bootstrap.js';

const calls = { init: 0, bootstrap: 0 };

@Injectable()
class HookCounter implements OnModuleInit, OnApplicationBootstrap {
  onModuleInit(): void {
    calls.init++;
  }

  onApplicationBootstrap(): void {
    calls.bootstrap++;
  }
}

@Module({ providers: [HookCounter] })
class HooksModule {}

/**
 * A service's init and bootstrap hooks run once. NestMicroservice.init ran them twice (its own
 * init, then registerModules again), so every worker loop, LISTEN session or lock a hook opened
 * was opened twice and one of them leaked (the webhooks queue's LISTEN session, found by ADR 0025).
 */
describe('service lifecycle hooks', () => {
  let env: TestEnv;
  let svc: RunningService | undefined;

  beforeAll(async () => {
    env = await TestEnv.create('lifecycle');
  });

  afterAll(async () => {
    await svc?.shutdown();
    await env.cleanup();
  });

  it('runs onModuleInit and onApplicationBootstrap once each', async () => {
    svc = await bootstrapService({ service: 'hooks_fixture', module: HooksModule, entities: [], migrations: [], env: env.env() });
    expect(calls).toEqual({ init: 1, bootstrap: 1 });
  });
});
