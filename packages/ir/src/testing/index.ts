// Test utilities shared by every package: builders, arbitraries and the corpus loader.
export * from './builders.js';
export * from './arbitraries.js';
export * from './corpus.js';
export * from './mutations.js';
export * from './audit-scenarios.js';
export * from './corner-scenarios.js';
export * from './icmp-scenario.js';
export * from './upstream-more.js';
export * from './upstream-cases.js';
// The reading's size thresholds, for tests that play inputs too large for a string with small ones.
export { readDefaults } from '../source/read-objects.js';
export { byteWindows } from '../source/text.js';
export * from './spoofing-scenario.js';
export * from './bridged-scenario.js';
