export * from './error-codes.js';
export * from './domain.exception.js';
export * from './problem.js';
export * from './rpc-error.js';
export * from './transient.js';
