/** The TenantRuntime PROVISIONING_RUNTIME names (local or Kubernetes), initialised; swapped in tests. */
export const TENANT_RUNTIME = Symbol('TENANT_RUNTIME');
