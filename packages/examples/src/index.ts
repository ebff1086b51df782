/**
 * @fvm-sim/examples: user-style contracts, scenarios, the demo, benchmarks, and the pictures used
 * by the notebooks (SVG charts, HTML tables, HAMT diagrams).
 *
 * @packageDocumentation
 */
export * from './charts/index.js';
export * from './scenarios/dealExpiry.js';
export { writeScenarioCharts } from './scenarios/charts.js';
export * from './util/pieces.js';
// The lending pool (example 4) and its scenario world, for notebook 5.
export {
  lendingPoolActor,
  LendingPoolMethod,
  LoanStatus,
  AgentStatus,
  PoolInfo,
  Loan,
  LoanSpec,
  loanInterest,
  principalPart,
  dueBy,
  EPOCHS_PER_YEAR,
  MinerApi,
} from './contracts/lendingPool.js';
export { loanAgentActor, LoanAgentMethod, CollectReturn } from './contracts/lendingPool/loanAgent.js';
export {
  lendingPoolWorld,
  SCENARIO_PRINCIPAL,
  SCENARIO_RATE_BPS,
  SCENARIO_INTERVAL,
  type LendingPoolWorld,
  type LendingPoolWorldOptions,
  type LendingPoolSample,
  type LoanCollection,
} from './contracts/lendingPool/scenario.js';
