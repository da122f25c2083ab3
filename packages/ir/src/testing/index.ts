// Test utilities shared by every package: builders, arbitraries and the corpus loader.
export * from './builders.js';
export * from './arbitraries.js';
export * from './corpus.js';
