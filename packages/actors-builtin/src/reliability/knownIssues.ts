/**
 * Bugs the reliability suite found in code it does not own, each with the exact inputs that show
 * it. The fuzzer counts a problem that matches an entry instead of failing (so the rest of the
 * suite stays useful), and `knownIssues.test.ts` replays each reproduction with `it.fails`: once
 * the bug is fixed that test fails, saying to delete the entry.
 *
 * @module
 */
import { ExitCode } from 'fvm-sim';
import type { CallerKind } from './world.js';

/** One known bug. */
export interface KnownIssue {
  readonly id: string;
  /** `actor.Method` keys the fuzzer may hit it through. */
  readonly methods: readonly string[];
  /** Matches the fuzzer's problem description. */
  readonly problem: RegExp;
  /** Expected vs actual, with the builtin-actors source of the expectation. */
  readonly summary: string;
  /** The smallest reproduction: who calls which method with which params, and the real exit code. */
  readonly repro: { readonly method: string; readonly via: 'signed' | CallerKind; readonly paramsHex: string; readonly expectedExit?: number };
}

const MARKET_DEAL_GETTERS = [
  'GetDealDataCommitment',
  'GetDealClient',
  'GetDealProvider',
  'GetDealLabel',
  'GetDealTerm',
  'GetDealTotalPrice',
  'GetDealClientCollateral',
  'GetDealProviderCollateral',
  'GetDealVerified',
  'GetDealActivation',
  'GetDealSector',
].map((n) => `storagemarket.${n}`);

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  // Fixed: market deal IDs beyond the AMT range (→ 20), u64 miner/client IDs (Address.newId takes any
  // u64, as ref-fvm), Init.Exec of code that is not installed (→ 18). The fuzzer guards them.
];

/** The known issue a fuzzer problem is, if any. */
export function knownIssueOf(methodKey: string, problem: string): KnownIssue | undefined {
  return KNOWN_ISSUES.find((k) => k.methods.includes(methodKey) && k.problem.test(problem));
}
