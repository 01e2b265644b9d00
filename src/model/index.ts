export * from './event.js';
export * from './text.js';
export * from './light.js';
