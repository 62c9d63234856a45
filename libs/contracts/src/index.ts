export * from './subjects.js';
export * from './envelope.js';
export * from './envelope.dto.js';
export * from './validation.js';
export * from './list.js';
export * from './rpc.js';
