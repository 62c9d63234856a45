/** Injection tokens of the provisioning service's side effects (swapped one at a time in tests). */
export const TENANT_RUNTIME = Symbol('TENANT_RUNTIME');
export const TENANT_DATABASES = Symbol('TENANT_DATABASES');
export const PROVISIONING_SECRETS = Symbol('PROVISIONING_SECRETS');
