import 'reflect-metadata';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_HEADER_TYPE,
  IdentityRpc,
  type AccessTokenClaims,
  type CallerDto,
  type JwksResponse,
  type TokenResponse,
} from '@saas/contracts';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { mailToken, rejection, SmtpCatcher, TestEnv, type ReceivedMail } from '@saas/testing';
import { AppModule } from '../src/app.module.js';
import { identityConfigSchema } from '../src/config.js';
import { identityEntities } from '../src/entities.js';
import { identityMigrations } from '../src/migrations/index.js';

/** Helpers of the identity integration tests (not a test file itself). */

export const ISSUER = 'saas-control-plane';
export const AUDIENCE = 'saas-control-plane-api';
export const STRONG_PASSWORD = 'Correct-Horse-Battery-42';

/** Calls and returns the DomainException it fails with (libs/testing's `rejection`). */
export const failure = rejection;

/** The identity service booted in this process, in its own test world, with a test SMTP server. */
export class IdentityHarness {
  private adminCaller?: CallerDto;

  private constructor(
    readonly env: TestEnv,
    readonly service: RunningService,
    readonly rpc: RpcClient,
    readonly smtp: SmtpCatcher,
  ) {}

  static async start(label: string, extraEnv: Record<string, string> = {}): Promise<IdentityHarness> {
    const env = await TestEnv.create(label);
    const smtp = await SmtpCatcher.start();
    const service = await bootstrapService({
      service: 'identity',
      module: AppModule,
      entities: identityEntities,
      migrations: identityMigrations,
      configSchema: identityConfigSchema,
      env: env.env({ SMTP_URL: smtp.url, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error', ...extraEnv }),
    });
    const rpc = new RpcClient(await env.nats(), new SubjectNaming(env.prefix), 15_000);
    return new IdentityHarness(env, service, rpc, smtp);
  }

  async stop(): Promise<void> {
    await this.service?.shutdown('test done').catch(() => undefined);
    await this.smtp?.close().catch(() => undefined);
    await this.env?.cleanup();
  }

  call<T>(subject: string, data: unknown): Promise<T> {
    return this.rpc.callRaw(subject, data) as Promise<T>;
  }

  get mails(): ReceivedMail[] {
    return this.smtp.mails;
  }

  waitForMail(to: string, subject: RegExp, after = 0): Promise<ReceivedMail> {
    return this.smtp.waitForMail(to, subject, after);
  }

  static tokenOf(mail: ReceivedMail): string {
    return mailToken(mail);
  }

  async registerVerified(email: string, password = STRONG_PASSWORD, fullName = 'Test User'): Promise<void> {
    const before = this.smtp.mails.length;
    await this.call(IdentityRpc.register, { email, password, full_name: fullName });
    const mail = await this.waitForMail(email, /verify/i, before);
    await this.call(IdentityRpc.verifyEmail, { token: IdentityHarness.tokenOf(mail) });
  }

  login(email: string, password = STRONG_PASSWORD, ip = '203.0.113.10'): Promise<TokenResponse> {
    return this.call<TokenResponse>(IdentityRpc.login, { email, password, client: { ip, user_agent: 'jest' } });
  }

  async jwks(): Promise<JwksResponse> {
    return this.call<JwksResponse>(IdentityRpc.jwks, {});
  }

  /** Verifies an access token the way the gateway must: pinned alg, typ, issuer and audience. */
  async verify(accessToken: string): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet((await this.jwks()) as never), {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      typ: ACCESS_TOKEN_HEADER_TYPE,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    return payload as unknown as AccessTokenClaims;
  }

  /** The caller the gateway would forward for this access token. */
  async callerOf(tokens: TokenResponse, ip = '203.0.113.10'): Promise<CallerDto> {
    const claims = await this.verify(tokens.access_token);
    return { actor: { type: 'user', id: claims.sub, ip, user_agent: 'jest' }, roles: claims.roles };
  }

  /** The first platform admin (created through the bootstrap RPC), signed in. */
  async admin(): Promise<CallerDto> {
    if (this.adminCaller) return this.adminCaller;
    await this.call(IdentityRpc.bootstrapAdmin, { email: 'root@example.com', password: STRONG_PASSWORD });
    this.adminCaller = await this.callerOf(await this.login('root@example.com', STRONG_PASSWORD, '198.51.100.1'), '198.51.100.1');
    return this.adminCaller;
  }

  async signUp(email: string): Promise<{ tokens: TokenResponse; caller: CallerDto }> {
    await this.registerVerified(email);
    const tokens = await this.login(email);
    return { tokens, caller: await this.callerOf(tokens) };
  }
}
