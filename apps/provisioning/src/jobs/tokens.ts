/** The SecretBox sealing tenant database passwords at rest (PROVISIONING_SECRET_KEYS). */
export const PROVISIONING_SECRETS = Symbol('PROVISIONING_SECRETS');
