export * from './access-token.js';
export * from './api-key-format.js';
