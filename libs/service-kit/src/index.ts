export * from './tokens.js';
export * from './platform.module.js';
export * from './bootstrap.js';
export * from './process-lifecycle.js';
