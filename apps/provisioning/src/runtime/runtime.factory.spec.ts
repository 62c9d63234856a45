import { describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '@saas/config';
import { KubernetesRuntime } from './kubernetes/kubernetes-runtime.js';
import { LocalRuntime } from './local/local-runtime.js';
import { provisioningRuntimeConfig } from './runtime.config.js';
import { createTenantRuntime, kubernetesRuntimeOptions, localRuntimeOptions } from './runtime.factory.js';

const logger = pino({ level: 'silent' });
const load = (env: Record<string, string>) => ({ ...loadConfig('provisioning', provisioningRuntimeConfig, env), DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/saas_platform' });

describe('provisioning runtime config and factory', () => {
  it('defaults to the local runtime running the sample app from dist/', () => {
    const config = load({});
    expect(config.PROVISIONING_RUNTIME).toBe('local');
    const options = localRuntimeOptions(config);
    expect(options.command[0]).toBe(process.execPath);
    expect(options.command[1]).toMatch(/dist\/apps\/tenant-app\/src\/main\.js$/);
    expect(options.runtimeDir).toMatch(/\.platform\/tenants$/);
    expect(options.portRange).toEqual({ first: 20000, last: 29999 });
    expect(createTenantRuntime(config, { logger })).toBeInstanceOf(LocalRuntime);
  });

  it('splits a custom command without a shell and validates the port range', () => {
    expect(localRuntimeOptions(load({ TENANT_APP_COMMAND: `python3 -m "my app" --flag` })).command).toEqual(['python3', '-m', 'my app', '--flag']);
    expect(() => load({ LOCAL_PORT_RANGE: '30000-20000' })).toThrow(ConfigError);
    expect(() => load({ PROVISIONING_RUNTIME: 'docker' })).toThrow(/PROVISIONING_RUNTIME/);
  });

  it('builds the Kubernetes runtime, deriving the database egress CIDR from an IP host or asking for it', () => {
    const config = load({ PROVISIONING_RUNTIME: 'kubernetes', KUBE_APP_FLAVOR: 'generic' });
    const options = kubernetesRuntimeOptions(config);
    expect(options).toMatchObject({ image: 'odoo:17', port: 8080, healthPath: '/health', databaseCidr: '127.0.0.1/32' });
    expect(options.ingressNamespaceLabels).toEqual({ 'kubernetes.io/metadata.name': 'ingress-nginx' });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:6443' }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    expect(createTenantRuntime(config, { logger, kubeConfig })).toBeInstanceOf(KubernetesRuntime);
    expect(() => kubernetesRuntimeOptions(load({ PROVISIONING_RUNTIME: 'kubernetes', TENANT_DATABASE_HOST: 'db.internal' }))).toThrow(/KUBE_DATABASE_CIDR/);
    expect(kubernetesRuntimeOptions(load({ KUBE_DATABASE_CIDR: '10.0.0.0/16', TENANT_DATABASE_HOST: 'db.internal' })).databaseCidr).toBe('10.0.0.0/16');
  });
});
