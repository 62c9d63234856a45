export * from './data-source.js';
export * from './pagination.js';
export * from './secret-box.js';
export * from './pg-client.js';
export * from './pg-url.js';
export * from './row-reader.js';
export * from './bulk-insert.js';
export * from './pg-errors.js';
