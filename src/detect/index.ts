/** Event detections: the rule contract, the engine, the built-in rules, drift, and their findings. */
export type { Detection, EventRule, EventRuleMetadata, Prefilter, RuleInput, StateProvider } from './types.js';
export { defineEventRule } from './types.js';
export { DetectionEngine, EventsBatch } from './engine.js';
export type { EventConsumer } from './engine.js';
export { InMemoryDetectionMemory } from './memory.js';
export { builtinEventRules } from './rules/index.js';
export { classifyChange, driftClassifier, isChangeEvent } from './drift/classify.js';
export { detectionRules, detectionToFinding, detectionFindingId } from './findings.js';
export { scanStoredEvents } from './scan.js';
export type { ScanOptions, ScanResult } from './scan.js';
export { sigmaEventRule, sigmaSeverity, attackTechniques } from './sigma-adapter.js';
export type { CompiledSigmaRuleShape } from './sigma-adapter.js';
export { attachDetections } from './attach.js';
export { loadSigmaEventRules, shippedSigmaEventRules, defaultEventRules, SIGMA_RULES_OFF_BY_DEFAULT } from './sigma-rules.js';
export { loadSigmaRules, compileSigmaYaml } from './sigma/index.js';
export type { CompiledSigmaRule, SigmaLoadResult, SigmaProblem } from './sigma/index.js';
