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
  {
    id: 'market-deal-id-u64-max',
    methods: MARKET_DEAL_GETTERS,
    problem: /actor panicked.*AmtError: AMT index must be/,
    summary:
      'Market deal getters with deal ID 2^64−1 (u64::MAX, beyond the AMT index range) panic with an AmtError → USR_ASSERTION_FAILED (24); builtin-actors market state.rs find_proposal maps the Amt OutOfRange error with with_context_code(USR_ILLEGAL_STATE) → 20. Fix: market state getProposal/findProposal should turn AmtError into ActorError(USR_ILLEGAL_STATE).',
    repro: { method: 'storagemarket.GetDealLabel', via: 'signed', paramsHex: '1bffffffffffffffff', expectedExit: ExitCode.USR_ILLEGAL_STATE },
  },
  {
    id: 'power-miner-id-above-i63',
    methods: ['storagepower.MinerRawPower', 'storagepower.MinerPower'],
    problem: /actor panicked.*AddressError: actor ID \d+ is outside 0\.\.2\^63-1/,
    summary:
      'Power MinerRawPower / MinerPower with a miner ID ≥ 2^63 panic in Address.newId → USR_ASSERTION_FAILED (24); builtin-actors power builds Address::new_id(u64) for any u64 and finds no claim: MinerRawPower → USR_ILLEGAL_ARGUMENT (16), MinerPower → USR_NOT_FOUND (17). Fix: power actor should answer "no claim" for IDs outside the ID-address range.',
    repro: { method: 'storagepower.MinerRawPower', via: 'signed', paramsHex: '1b8000000000000000', expectedExit: ExitCode.USR_ILLEGAL_ARGUMENT },
  },
  {
    id: 'verifreg-client-id-above-i63',
    methods: ['verifiedregistry.RemoveExpiredAllocations', 'verifiedregistry.RemoveExpiredClaims', 'verifiedregistry.GetClaims'],
    problem: /actor panicked.*AddressError: actor ID \d+ is outside 0\.\.2\^63-1/,
    summary:
      'Verified registry RemoveExpiredAllocations with a client ID ≥ 2^63 panics in Address.newId (datacapTransfer) → USR_ASSERTION_FAILED (24); builtin-actors verifreg takes the client as a u64 and never panics on it (no allocations are found for such a client). Same root as power-miner-id-above-i63: Address.newId throws for IDs ≥ 2^63 where Rust Address::new_id accepts any u64; actors converting a u64 param to an ID address should treat such IDs as unknown.',
    repro: { method: 'verifiedregistry.RemoveExpiredAllocations', via: 'signed', paramsHex: '821b800000000000000080' },
  },
  {
    id: 'init-exec-unregistered-code',
    methods: ['init.Exec'],
    problem: /exit USR_ASSERTION_FAILED \(USR_ASSERTION_FAILED: constructor of new actor \d+ failed\)/,
    summary:
      'Init.Exec with the code CID of a type the bundle does not register (e.g. fil/18/evm) creates the actor, its constructor send fails with SYS_INVALID_RECEIVER and Exec aborts with USR_ASSERTION_FAILED (24), leaving nothing but a confusing code; builtin-actors can_exec refuses any code that is not an execable built-in → USR_FORBIDDEN (18). Fix: init canExec should refuse code CIDs that are neither built-in nor a registered user actor.',
    repro: { method: 'init.Exec', via: 'signed', paramsHex: '82d82a4f000155000a66696c2f31382f65766d40', expectedExit: ExitCode.USR_FORBIDDEN },
  },
];

/** The known issue a fuzzer problem is, if any. */
export function knownIssueOf(methodKey: string, problem: string): KnownIssue | undefined {
  return KNOWN_ISSUES.find((k) => k.methods.includes(methodKey) && k.problem.test(problem));
}
