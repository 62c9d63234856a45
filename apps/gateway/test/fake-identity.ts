import 'reflect-metadata';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { SignJWT, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_HEADER_TYPE, IdentityRpc, type ApiKeyPrincipal } from '@saas/contracts';
import { DomainException, toRpcError } from '@saas/errors';
import { jetstreamManager } from '@nats-io/jetstream';
import { ensureEventStream, type SubjectNaming } from '@saas/messaging';

export const ISSUER = 'saas-control-plane';
export const AUDIENCE = 'saas-control-plane-api';
export const ADMIN_ID = '00000000-0000-4000-8000-0000000000ad';
export const USER_ID = '00000000-0000-4000-8000-00000000000b';

/** Answers like a Nest NATS handler: `{ id, response }` or `{ id, err }`. */
export function reply(msg: Msg, body: { response?: unknown; err?: unknown }): void {
  const { id } = msg.json<{ id: string }>();
  msg.respond(JSON.stringify({ id, ...body, isDisposed: true }));
}

export interface SignOptions {
  claims?: Partial<JWTPayload> & Record<string, unknown>;
  header?: Record<string, unknown>;
  expiresInS?: number;
  key?: KeyObject;
  kid?: string;
}

/**
 * Identity as far as the gateway's authentication needs it, in the test process: an RSA signing key
 * published over `rpc.identity.keys.jwks`, and `api-keys.verify` answering from a map. Tokens are
 * signed like identity signs them, or however a test needs (attacks). Like the real one it makes
 * sure the event stream exists (the gateway reads revocations from it, and trusts no credential
 * cache until it has caught up), and answers `sessions.check` (every session live unless ended here).
 */
export class FakeIdentity {
  readonly kid = `kid-${randomUUID().slice(0, 8)}`;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly extraKeys: Array<{ kid: string; publicKey: KeyObject }> = [];
  readonly apiKeys = new Map<string, ApiKeyPrincipal>();
  readonly endedSessions = new Set<string>();
  jwksCalls = 0;
  apiKeyCalls = 0;
  sessionChecks = 0;
  private readonly subs: Subscription[] = [];

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  jwk(kid: string, key: KeyObject): Record<string, unknown> {
    return { ...(key.export({ format: 'jwk' }) as object), kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
  }

  async serve(nc: NatsConnection, naming: SubjectNaming): Promise<void> {
    await ensureEventStream(await jetstreamManager(nc), naming);
    this.subs.push(
      nc.subscribe(naming.subject(IdentityRpc.sessionsCheck), {
        callback: (_err, msg) => {
          this.sessionChecks++;
          const { session_id: sid } = msg.json<{ data: { session_id?: string } }>().data;
          reply(msg, { response: { active: !(sid && this.endedSessions.has(sid)) } });
        },
      }),
      nc.subscribe(naming.subject(IdentityRpc.jwks), {
        callback: (_err, msg) => {
          this.jwksCalls++;
          reply(msg, { response: { keys: [this.jwk(this.kid, this.publicKey), ...this.extraKeys.map((k) => this.jwk(k.kid, k.publicKey))] } });
        },
      }),
      nc.subscribe(naming.subject(IdentityRpc.apiKeysVerify), {
        callback: (_err, msg) => {
          this.apiKeyCalls++;
          const principal = this.apiKeys.get(msg.json<{ data: { key: string } }>().data.key);
          if (principal) reply(msg, { response: principal });
          else reply(msg, { err: toRpcError(new DomainException('UNAUTHORIZED', 'The API key is not valid.', { status: 401 })) });
        },
      }),
    );
    await nc.flush();
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  /** An access token as identity issues it (RS256, typ at+jwt, the claims the gateway needs). */
  async token(options: SignOptions & { sub?: string; roles?: string[]; tier?: string } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      typ: 'access',
      roles: options.roles ?? ['user'],
      tier: options.tier ?? 'standard',
      email: 'someone@example.com',
      email_verified: true,
      sid: randomUUID(),
      ...options.claims,
    })
      .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: options.kid ?? this.kid, typ: ACCESS_TOKEN_HEADER_TYPE, ...options.header } as never)
      .setIssuer((options.claims?.iss as string | undefined) ?? ISSUER)
      .setAudience((options.claims?.aud as string | undefined) ?? AUDIENCE)
      .setSubject(options.sub ?? USER_ID)
      .setIssuedAt((options.claims?.iat as number | undefined) ?? now)
      .setExpirationTime((options.claims?.exp as number | undefined) ?? now + (options.expiresInS ?? 900))
      .setJti(randomUUID())
      .sign(options.key ?? this.privateKey);
  }

  adminToken(): Promise<string> {
    return this.token({ sub: ADMIN_ID, roles: ['admin'] });
  }
}
