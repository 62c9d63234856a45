export * from './data-source.js';
export * from './pagination.js';
