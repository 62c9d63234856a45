export * from './tokens.js';
export * from './platform.module.js';
export * from './bootstrap.js';
export * from './process-lifecycle.js';
export * from './clock.js';
export * from './secure-random.js';
export * from './seams.module.js';
export * from './exclusive-job.js';
