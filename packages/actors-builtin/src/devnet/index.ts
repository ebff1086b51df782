export * from './devnet.js';
export * from './election.js';
export * from './genesis.js';
export * from './bundle.js';
