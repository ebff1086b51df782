export * from './devnet.js';
export * from './election.js';
export * from './genesis.js';
export * from './bundle.js';
export * from './agents.js';
export * from './events.js';
export { nextCronWorkEpoch, endQuietEpochs } from './fastForward.js';
export * from './fixtures.js';
