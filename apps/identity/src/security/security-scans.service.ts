import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, IsNull, LessThan } from 'typeorm';
import {
  FindingSeverities,
  RpcSubjects,
  ServiceNames,
  type CallerDto,
  type FindingSeverity,
  type ListResult,
  type SecurityFindingDto,
  type SecurityScanView } from '@saas/contracts';
import { paginate } from '@saas/database';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import { Clock, SERVICE_CONFIG, SERVICE_LOGGER } from '@saas/service-kit';
import { ApiKey } from '../api-keys/api-key.entity.js';
import { DEV_KEY_ENCRYPTION_SECRET, type IdentityConfig } from '../config.js';
import { SigningKey } from '../keys/signing-key.entity.js';
import { User } from '../users/user.entity.js';
import { SecurityScan } from './security-scan.entity.js';

/** API keys unused this long after creation, or older than this, are findings. */
const KEY_UNUSED_DAYS = 7;
const KEY_MAX_AGE_DAYS = 90;
/** A scan still `running` after this has died with its replica. */
const SCAN_DEADLINE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/**
 * `POST security/scan`: findings on the platform's own configuration and data, each with a severity,
 * why it matters and the fix. Identity checks its own (admin accounts, API keys, signing keys,
 * secrets) and asks every service for theirs over `rpc.<service>.security.findings`; the gateway's
 * come with the request. A scan runs in the background; its row says how far it got.
 */
@Injectable()
export class SecurityScansService {
  constructor(
    private readonly ds: DataSource,
    private readonly rpc: RpcClient,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async start(caller: CallerDto, gatewayFindings: SecurityFindingDto[]): Promise<SecurityScanView> {
    const scan = this.ds.getRepository(SecurityScan).create({
      id: randomUUID(),
      status: 'running',
      requestedBy: caller.actor.id ?? null,
      startedAt: this.clock.now(),
      finishedAt: null,
      findings: [],
      notScanned: [],
      error: null,
    });
    await this.ds.getRepository(SecurityScan).insert(scan);
    setImmediate(() => void this.run(scan, gatewayFindings));
    return toView(scan);
  }

  async get(id: string): Promise<SecurityScanView> {
    await this.failStale();
    const scan = await this.ds.getRepository(SecurityScan).findOneBy({ id });
    if (!scan) throw new DomainException('SCAN_NOT_FOUND', 'No security scan with that id.', { status: 404 });
    return toView(scan);
  }

  async list(req: { page: number; page_size: number; ordering?: string }): Promise<ListResult<SecurityScanView>> {
    await this.failStale();
    const qb = this.ds.getRepository(SecurityScan).createQueryBuilder('s');
    const page = await paginate(qb, req, { orderable: { started_at: 'startedAt' }, defaultOrder: { started_at: 'DESC' } });
    return { count: page.count, results: page.results.map(toView) };
  }

  private async run(scan: SecurityScan, gatewayFindings: SecurityFindingDto[]): Promise<void> {
    try {
      const findings = [...gatewayFindings, ...(await this.ownFindings())];
      const notScanned: string[] = [];
      const others = ServiceNames.filter((s) => s !== 'identity');
      const answers = await Promise.allSettled(others.map((s) => this.rpc.call(RpcSubjects.securityFindings(s), {})));
      answers.forEach((answer, i) => {
        if (answer.status === 'fulfilled') findings.push(...answer.value.findings);
        else notScanned.push(others[i]!);
      });
      findings.sort((a, b) => FindingSeverities.indexOf(b.severity) - FindingSeverities.indexOf(a.severity) || a.code.localeCompare(b.code));
      await this.ds.getRepository(SecurityScan).update({ id: scan.id }, { status: 'completed', findings: findings as never, notScanned: notScanned as never, finishedAt: this.clock.now() });
    } catch (err) {
      this.logger.error({ err, scan_id: scan.id }, 'security scan failed');
      await this.ds
        .getRepository(SecurityScan)
        .update({ id: scan.id }, { status: 'failed', error: 'The scan could not finish; see the identity service log.', finishedAt: this.clock.now() })
        .catch(() => undefined);
    }
  }

  /** Admin accounts, API keys, signing keys and this service's secrets. */
  private async ownFindings(): Promise<SecurityFindingDto[]> {
    const now = this.clock.now().getTime();
    const findings: SecurityFindingDto[] = [];
    const finding = (f: Omit<SecurityFindingDto, 'source'>) => findings.push({ source: 'identity', ...f });
    const production = this.config.NODE_ENV === 'production';

    if (!this.config.KEY_ENCRYPTION_SECRET || this.config.KEY_ENCRYPTION_SECRET === DEV_KEY_ENCRYPTION_SECRET) {
      finding({
        code: 'DEV_SECRET_IN_USE',
        severity: production ? 'critical' : 'low',
        title: 'Signing keys are encrypted with the development secret',
        explanation: 'KEY_ENCRYPTION_SECRET is not set, so the private keys that sign access tokens are encrypted with a secret everyone who has the source knows.',
        fix: 'Set KEY_ENCRYPTION_SECRET to 32+ random characters (e.g. `openssl rand -base64 48`) from a secret store, then restart identity.',
        resource: null,
      });
    }

    const admins = await this.ds.getRepository(User).find({ where: { role: 'admin' } });
    for (const admin of admins) {
      finding({
        code: 'ADMIN_WITHOUT_MFA',
        severity: 'medium',
        title: `Admin ${admin.email} signs in with a password alone`,
        explanation: 'The platform has no second factor yet, so a phished or reused password gives full control of every tenant.',
        fix: 'Keep admins few, use long unique passwords, and block unknown networks from the admin API (POST security/threats with a CIDR) until MFA is available.',
        resource: { type: 'user', id: admin.id },
      });
      if (!admin.emailVerifiedAt) {
        finding({
          code: 'ADMIN_EMAIL_UNVERIFIED',
          severity: 'low',
          title: `Admin ${admin.email} has not verified the email address`,
          explanation: 'Password resets and security mail go to an address nobody has proven to own.',
          fix: 'Have the admin verify the address (auth/resend-verification) or replace the account.',
          resource: { type: 'user', id: admin.id },
        });
      }
    }

    const keys = await this.ds.getRepository(ApiKey).find({ where: { revokedAt: IsNull() } });
    for (const key of keys) {
      if (key.expiresAt && key.expiresAt.getTime() <= now) continue;
      const ageDays = (now - key.createdAt.getTime()) / DAY_MS;
      if (!key.lastUsedAt && ageDays >= KEY_UNUSED_DAYS) {
        finding({
          code: 'API_KEY_NEVER_USED',
          severity: 'low',
          title: `API key "${key.name}" (${key.prefix}) was never used`,
          explanation: `It was created ${Math.floor(ageDays)} days ago and has not made a request: a forgotten key is a credential nobody watches.`,
          fix: 'Revoke it (DELETE api-keys/{id}) if nobody needs it.',
          resource: { type: 'api_key', id: key.id },
        });
      } else if (ageDays >= KEY_MAX_AGE_DAYS && !key.expiresAt) {
        finding({
          code: 'API_KEY_OLD',
          severity: 'medium',
          title: `API key "${key.name}" (${key.prefix}) is ${Math.floor(ageDays)} days old and never expires`,
          explanation: `Keys older than ${KEY_MAX_AGE_DAYS} days have had time to leak through logs, laptops and CI systems.`,
          fix: 'Create a new key with an expiry, switch the client to it, then revoke this one.',
          resource: { type: 'api_key', id: key.id },
        });
      }
    }

    const signing = await this.ds.getRepository(SigningKey).find({ where: { status: 'active' } });
    for (const key of signing) {
      const ageDays = (now - key.createdAt.getTime()) / DAY_MS;
      if (ageDays > this.config.KEY_ROTATION_DAYS * 1.5) {
        finding({
          code: 'SIGNING_KEY_NOT_ROTATED',
          severity: 'high',
          title: `The token signing key ${key.kid} is ${Math.floor(ageDays)} days old`,
          explanation: `Keys should rotate every ${this.config.KEY_ROTATION_DAYS} days (KEY_ROTATION_DAYS); this one has outlived that, so rotation is not running.`,
          fix: 'Check the identity service logs for rotation errors and make sure at least one identity replica runs continuously.',
          resource: { type: 'signing_key', id: key.kid },
        });
      }
    }
    return findings;
  }

  private async failStale(): Promise<void> {
    await this.ds
      .getRepository(SecurityScan)
      .update(
        { status: 'running', startedAt: LessThan(new Date(this.clock.now().getTime() - SCAN_DEADLINE_MS)) },
        { status: 'failed', error: 'The scan did not finish (its identity replica stopped).', finishedAt: this.clock.now() },
      );
  }
}

function toView(s: SecurityScan): SecurityScanView {
  const summary = Object.fromEntries(FindingSeverities.map((sev) => [sev, 0])) as Record<FindingSeverity, number>;
  for (const f of s.findings) summary[f.severity]++;
  return {
    id: s.id,
    status: s.status,
    status_url: `/api/v1/security/scans/${s.id}`,
    requested_by: s.requestedBy,
    started_at: s.startedAt.toISOString(),
    finished_at: s.finishedAt?.toISOString() ?? null,
    summary,
    findings: s.findings,
    not_scanned: s.notScanned,
    error: s.error,
  };
}
