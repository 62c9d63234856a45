import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
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
import { DomainException } from '@saas/errors';
import { RpcClient, SubjectNaming } from '@saas/messaging';
import { bootstrapService, type RunningService } from '@saas/service-kit';
import { TestEnv, waitFor } from '@saas/testing';
import { AppModule } from '../src/app.module.js';
import { identityConfigSchema } from '../src/config.js';
import { identityEntities } from '../src/entities.js';
import { identityMigrations } from '../src/migrations/index.js';

/** Helpers of the identity integration tests (not a test file itself). */

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

export const ISSUER = 'saas-control-plane';
export const AUDIENCE = 'saas-control-plane-api';
export const STRONG_PASSWORD = 'Correct-Horse-Battery-42';

function decodeQuotedPrintable(body: string): string {
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parseMail(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  let body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) body = decodeQuotedPrintable(body);
  if (/base64/i.test(header('Content-Transfer-Encoding'))) body = Buffer.from(body, 'base64').toString('utf8');
  return { to, subject: header('Subject'), text: body };
}

/** A real SMTP server the service delivers to (SMTP_URL points at it). */
export async function startSmtpServer(): Promise<{ url: string; mails: ReceivedMail[]; close(): Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address)));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Calls and returns the DomainException it fails with (fails the test if the call succeeds). */
export async function failure(call: Promise<unknown>): Promise<DomainException> {
  const outcome = await call.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
  if (!('err' in outcome)) throw new Error(`expected the call to fail, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.err instanceof DomainException)) throw outcome.err;
  return outcome.err;
}

/** The identity service booted in this process, in its own test world, with a test SMTP server. */
export class IdentityHarness {
  private adminCaller?: CallerDto;

  private constructor(
    readonly env: TestEnv,
    readonly service: RunningService,
    readonly rpc: RpcClient,
    readonly smtp: Awaited<ReturnType<typeof startSmtpServer>>,
  ) {}

  static async start(label: string, extraEnv: Record<string, string> = {}): Promise<IdentityHarness> {
    const env = await TestEnv.create(label);
    const smtp = await startSmtpServer();
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

  async waitForMail(to: string, subject: RegExp, after = 0): Promise<ReceivedMail> {
    return waitFor(() => this.smtp.mails.slice(after).find((m) => m.to.includes(to) && subject.test(m.subject)), `a mail "${subject}" to ${to}`);
  }

  static tokenOf(mail: ReceivedMail): string {
    const m = /token=([A-Za-z0-9_-]+)/.exec(mail.text);
    if (!m) throw new Error(`no token in mail: ${mail.text}`);
    return m[1]!;
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
