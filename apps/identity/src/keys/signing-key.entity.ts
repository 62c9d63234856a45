import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type SigningKeyStatus = 'active' | 'retired';

/**
 * A JWT signing key pair. The private key is encrypted at rest (AES-256-GCM, key derived from
 * KEY_ENCRYPTION_SECRET). A retired key no longer signs but stays in the JWKS until every token it
 * signed has expired (retired_at + access token TTL).
 */
@Entity({ name: 'signing_keys' })
@Check('signing_keys_status_check', `status IN ('active', 'retired')`)
export class SigningKey {
  @PrimaryColumn('text')
  kid!: string;

  @Column('text')
  algorithm!: string;

  @Column('jsonb', { name: 'public_jwk' })
  publicJwk!: Record<string, unknown>;

  /** base64url(iv ‖ tag ‖ ciphertext) of the PKCS#8 DER private key. */
  @Column('text', { name: 'private_key_enc' })
  privateKeyEnc!: string;

  @Column('text')
  status!: SigningKeyStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'retired_at', nullable: true })
  retiredAt!: Date | null;
}
