import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import {
  isAdmin,
  type CallerDto,
  type CreateProviderRequest,
  type ListProvidersRequest,
  type ListResult,
  type ProviderRefRequest,
  type ProviderView,
  type UpdateProviderRequest,
} from '@saas/contracts';
import { paginate, SecretBox } from '@saas/database';
import { DomainException } from '@saas/errors';
import { SERVICE_CONFIG } from '@saas/service-kit';
import type { WebhooksConfig } from '../config.js';
import { checkOutboundUrl, RefusedUrlError, type OutboundUrlPolicy } from '../ssrf/outbound-url.js';
import { IntegrationProvider } from './integration-provider.entity.js';
import { IntegrationsException } from './integrations.exception.js';
import { isAllowListEntry } from './ip-allow-list.js';
import { toProviderView } from './provider.view.js';

export function requireAdmin(caller: CallerDto): void {
  if (!isAdmin(caller) || caller.tenant_id) throw IntegrationsException.adminsOnly();
}

/** Integration providers (admins): who may send us webhooks, how they sign, from where, how often. */
@Injectable()
export class ProvidersService {
  readonly secrets: SecretBox;
  /** The health probe connects to `api_base_url`: the same SSRF rules as webhook endpoints (http allowed: the probe carries no secret). */
  private readonly urlPolicy: OutboundUrlPolicy;

  constructor(
    private readonly ds: DataSource,
    @Inject(SERVICE_CONFIG) config: WebhooksConfig,
  ) {
    this.secrets = new SecretBox(config.WEBHOOKS_SECRET_KEYS.split(',').map((s) => s.trim()));
    this.urlPolicy = { allowPrivateNetworks: config.WEBHOOKS_ALLOW_PRIVATE_NETWORKS, requireHttps: false };
  }

  /** 400 INVALID_PROVIDER_URL for an `api_base_url` the health probe would refuse to connect to. */
  private async checkApiBaseUrl(raw: string | null | undefined): Promise<string | null> {
    if (raw === undefined || raw === null) return null;
    try {
      return await checkOutboundUrl(raw, this.urlPolicy, 'api_base_url');
    } catch (err) {
      if (err instanceof RefusedUrlError) throw IntegrationsException.invalidUrl('api_base_url', err.message);
      throw err;
    }
  }

  private repo() {
    return this.ds.getRepository(IntegrationProvider);
  }

  private checkIps(ips: string[] | undefined): void {
    const bad = (ips ?? []).find((ip) => !isAllowListEntry(ip));
    if (bad) throw DomainException.validation([{ field: 'allowed_ips', message: `"${bad}" is not an IP address or CIDR block` }]);
  }

  async create(req: CreateProviderRequest): Promise<ProviderView> {
    requireAdmin(req.caller);
    this.checkIps(req.allowed_ips);
    const apiBaseUrl = await this.checkApiBaseUrl(req.api_base_url);
    const provider = this.repo().create({
      id: randomUUID(),
      name: req.name,
      webhookUrl: req.webhook_url ?? null,
      apiBaseUrl,
      authType: req.auth_type ?? 'hmac',
      signatureScheme: req.signature_scheme ?? 'standard_webhooks',
      secretKey: this.secrets.seal(req.secret_key),
      allowedIps: req.allowed_ips ?? [],
      rateLimit: req.rate_limit ?? null,
      timestampToleranceS: req.timestamp_tolerance_s ?? 300,
      isActive: req.is_active ?? true,
    });
    try {
      return toProviderView(await this.repo().save(provider));
    } catch (err) {
      if (err instanceof QueryFailedError && (err as { code?: string }).code === '23505') throw IntegrationsException.conflict();
      throw err;
    }
  }

  async list(req: ListProvidersRequest): Promise<ListResult<ProviderView>> {
    requireAdmin(req.caller);
    const qb = this.repo().createQueryBuilder('p');
    if (req.search) qb.where('p.name ILIKE :q', { q: `%${req.search.replace(/[%_\\]/g, '\\$&')}%` });
    const page = await paginate(qb, req, { orderable: { name: 'name', created_at: 'createdAt' }, defaultOrder: { name: 'ASC' } });
    return { count: page.count, results: page.results.map(toProviderView) };
  }

  async get(req: ProviderRefRequest): Promise<ProviderView> {
    requireAdmin(req.caller);
    const p = await this.repo().findOneBy({ id: req.id });
    if (!p) throw IntegrationsException.providerNotFound();
    return toProviderView(p);
  }

  async update(req: UpdateProviderRequest): Promise<ProviderView> {
    requireAdmin(req.caller);
    const p = await this.repo().findOneBy({ id: req.id });
    if (!p) throw IntegrationsException.providerNotFound();
    this.checkIps(req.allowed_ips);
    const changes: Partial<IntegrationProvider> = {};
    if (req.name !== undefined) changes.name = req.name;
    if (req.webhook_url !== undefined) changes.webhookUrl = req.webhook_url;
    if (req.api_base_url !== undefined) changes.apiBaseUrl = await this.checkApiBaseUrl(req.api_base_url);
    if (req.auth_type !== undefined) changes.authType = req.auth_type;
    if (req.signature_scheme !== undefined) changes.signatureScheme = req.signature_scheme;
    if (req.secret_key !== undefined) changes.secretKey = this.secrets.seal(req.secret_key);
    if (req.allowed_ips !== undefined) changes.allowedIps = req.allowed_ips;
    if (req.rate_limit !== undefined) changes.rateLimit = req.rate_limit;
    if (req.timestamp_tolerance_s !== undefined) changes.timestampToleranceS = req.timestamp_tolerance_s;
    if (req.is_active !== undefined) changes.isActive = req.is_active;
    try {
      if (Object.keys(changes).length) await this.repo().update({ id: p.id }, changes);
    } catch (err) {
      if (err instanceof QueryFailedError && (err as { code?: string }).code === '23505') throw IntegrationsException.conflict();
      throw err;
    }
    return toProviderView(await this.repo().findOneByOrFail({ id: p.id }));
  }

  async remove(req: ProviderRefRequest): Promise<ProviderView> {
    requireAdmin(req.caller);
    const p = await this.repo().findOneBy({ id: req.id });
    if (!p) throw IntegrationsException.providerNotFound();
    await this.repo().delete({ id: p.id });
    return toProviderView(p);
  }
}
