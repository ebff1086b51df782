/**
 * @fvm-sim/examples: user-style contracts, scenarios, the demo, benchmarks, and the pictures used
 * by the notebooks (SVG charts, HTML tables, HAMT diagrams).
 *
 * @packageDocumentation
 */
export * from './charts/index.js';
export * from './scenarios/dealExpiry.js';
export * from './util/pieces.js';
