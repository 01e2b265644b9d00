export * from './event.js';
export * from './text.js';
export * from './light.js';
export * from './finding.js';
export * from './json.js';
export * from './keys.js';
export * from './record-text.js';
