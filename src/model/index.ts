export * from './event.js';
export * from './text.js';
