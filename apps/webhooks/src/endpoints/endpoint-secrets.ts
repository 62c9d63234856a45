import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '@saas/database';
import { SecureRandom, SERVICE_CONFIG } from '@saas/service-kit';
import type { WebhooksConfig } from '../config.js';
import { formatSecret } from '../delivery/signing.js';
import type { WebhookEndpoint } from './webhook-endpoint.entity.js';

/** Endpoint signing secrets: made here, sealed at rest with WEBHOOKS_SECRET_KEYS, opened only to sign. */
@Injectable()
export class EndpointSecrets {
  private readonly box: SecretBox;
  /** Opened secrets by sealed form: every delivery signs, and an AES-GCM open per request showed in the profile. */
  private readonly opened = new Map<string, string>();

  constructor(
    private readonly random: SecureRandom,
    @Inject(SERVICE_CONFIG) config: WebhooksConfig,
  ) {
    this.box = new SecretBox(config.WEBHOOKS_SECRET_KEYS.split(',').map((s) => s.trim()));
  }

  /** A fresh secret, its sealed form and the hint shown in views. */
  generate(): { secret: string; sealed: string; hint: string } {
    const secret = formatSecret(this.random.bytes(24));
    return { secret, sealed: this.box.seal(secret), hint: `${secret.slice(0, 10)}…` };
  }

  seal(secret: string): string {
    return this.box.seal(secret);
  }

  /** The secrets that sign a request now: the current one, and the previous one during its grace period. */
  signingSecrets(endpoint: Pick<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now: Date): string[] {
    const secrets = [this.open(endpoint.secret)];
    if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
      secrets.push(this.open(endpoint.previousSecret));
    }
    return secrets;
  }

  private open(sealed: string): string {
    let secret = this.opened.get(sealed);
    if (secret === undefined) {
      secret = this.box.open(sealed);
      if (this.opened.size >= 10_000) this.opened.clear();
      this.opened.set(sealed, secret);
    }
    return secret;
  }
}
