export * from './test-env.js';
export * from './processes.js';
export * from './http.js';
export * from './events.js';
export * from './platform.js';
export * from './webhook-receiver.js';
export * from './own-servers.js';
export * from './fake-tenant-access.js';
