/**
 * Market state invariants, checked after scenarios (builtin-actors `check_state_invariants`).
 *
 * - Source: builtin-actors `actors/market/src/testing.rs`,
 *   `runtime/src/util/message_accumulator.rs`.
 *
 * @module
 */
import { Address, Amt, type Blockstore, CID, Hamt, codec as c } from 'fvm-sim';
import { parseEpochKey, parseU64Key } from '../../shared/keys.js';
import { BalanceTable } from './balanceTable.js';
import { DealProposal, DealState, EPOCH_UNDEFINED, MARKET_HAMT_BITWIDTH, type MarketState, dealProposalCid } from './types.js';

/**
 * Collects invariant violations as messages (builtin-actors `MessageAccumulator`). Prefixed
 * children share the parent's list.
 */
export class MessageAccumulator {
  private constructor(
    private readonly list: string[],
    private readonly prefix: string,
  ) {}

  /** A new, empty accumulator. */
  static create(): MessageAccumulator {
    return new MessageAccumulator([], '');
  }

  /** An accumulator adding `prefix` to its messages, into the same list. */
  withPrefix(prefix: string): MessageAccumulator {
    return new MessageAccumulator(this.list, this.prefix + prefix);
  }

  /** Records a message. */
  add(msg: string): void {
    this.list.push(this.prefix + msg);
  }

  /** Records `msg` unless `ok`. */
  require(ok: boolean, msg: string | (() => string)): void {
    if (!ok) this.add(typeof msg === 'string' ? msg : msg());
  }

  /** Runs `fn`, recording any exception it throws as a message prefixed with `what`. */
  guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.add(`${what}: ${(e as Error).message}`);
    }
  }

  /** The messages so far. */
  get messages(): string[] {
    return [...this.list];
  }

  /** Whether nothing was recorded. */
  get isEmpty(): boolean {
    return this.list.length === 0;
  }
}

/** What the checker learnt about one deal. */
export interface DealSummary {
  provider: bigint;
  startEpoch: bigint;
  endEpoch: bigint;
  sectorNumber: bigint;
  sectorStartEpoch: bigint;
  lastUpdateEpoch: bigint;
  slashEpoch: bigint;
  pieceCid: CID;
}

/** Summary of the market state, for cross-actor checks. */
export interface MarketStateSummary {
  deals: Map<bigint, DealSummary>;
  /** provider ID → sector → deal IDs. */
  providerSectorDeals: Map<bigint, Map<bigint, bigint[]>>;
  /** allocation ID → deal ID of verified deals not yet activated. */
  allocIdToDealId: Map<bigint, bigint>;
  pendingProposalCount: number;
  dealStateCount: number;
  lockTableCount: number;
  dealOpEpochCount: number;
  dealOpCount: number;
}

/**
 * Checks the market state's invariants at `currentEpoch`:
 *
 * - the three locked totals are not negative, and the locked table sums to them;
 * - every party's locked balance ≤ its escrow; Σ escrow ≤ the actor's `balance` and ≥ Σ proposal
 *   collaterals;
 * - proposals hold ID addresses, `next_id` exceeds every deal ID;
 * - every deal state has a proposal, sane epochs, and no pending allocation;
 * - every pending proposal CID and pending allocation belongs to a stored proposal;
 * - provider-sector entries match their deals, and every active, unexpired deal is listed;
 * - every proposal not yet started is scheduled in `deal_ops_by_epoch`.
 *
 * @param balance - the market actor's FIL balance.
 * @returns the summary and the violation messages (empty when all hold).
 */
export function checkMarketStateInvariants(st: MarketState, store: Blockstore, balance: bigint, currentEpoch: bigint): { summary: MarketStateSummary; messages: string[] } {
  const acc = MessageAccumulator.create();
  const summary: MarketStateSummary = {
    deals: new Map(),
    providerSectorDeals: new Map(),
    allocIdToDealId: new Map(),
    pendingProposalCount: 0,
    dealStateCount: 0,
    lockTableCount: 0,
    dealOpEpochCount: 0,
    dealOpCount: 0,
  };
  acc.require(st.totalClientLockedCollateral >= 0n, `negative total client locked collateral: ${st.totalClientLockedCollateral}`);
  acc.require(st.totalProviderLockedCollateral >= 0n, `negative total provider locked collateral: ${st.totalProviderLockedCollateral}`);
  acc.require(st.totalClientStorageFee >= 0n, `negative total client storage fee: ${st.totalClientStorageFee}`);

  // Proposals.
  const proposalCids = new Set<string>();
  const expectedDealOps = new Set<bigint>();
  let maxDealId = -1n;
  let totalProposalCollateral = 0n;
  acc.guard('error iterating proposals', () => {
    for (const [id, raw] of Amt.load<unknown>(store, st.proposals).entries()) {
      const p = DealProposal.fromCbor(raw);
      proposalCids.add(dealProposalCid(p).toString());
      if (p.startEpoch >= currentEpoch) expectedDealOps.add(id);
      if (id > maxDealId) maxDealId = id;
      summary.deals.set(id, {
        provider: p.provider.protocol === 0 ? p.provider.id : -1n,
        startEpoch: p.startEpoch,
        endEpoch: p.endEpoch,
        sectorNumber: 0n,
        sectorStartEpoch: EPOCH_UNDEFINED,
        lastUpdateEpoch: EPOCH_UNDEFINED,
        slashEpoch: EPOCH_UNDEFINED,
        pieceCid: p.pieceCid,
      });
      totalProposalCollateral += p.clientCollateral + p.providerCollateral;
      acc.require(p.client.protocol === 0, `client address for deal ${id} is not an ID address`);
      acc.require(p.provider.protocol === 0, `provider address for deal ${id} is not an ID address`);
    }
  });
  acc.require(st.nextId > maxDealId, `next id, ${st.nextId}, is not greater than highest id in proposals, ${maxDealId}`);

  // Pending allocation IDs.
  const pendingAllocations = new Map<bigint, bigint>();
  acc.guard('error iterating pending allocations', () => {
    for (const [k, v] of Hamt.load<unknown>(store, st.pendingDealAllocationIds, MARKET_HAMT_BITWIDTH).entries()) {
      const dealId = parseU64Key(k);
      const allocId = c.u64.fromCbor(v);
      acc.require(summary.deals.has(dealId), `pending deal allocation ${dealId} not found in proposals`);
      pendingAllocations.set(dealId, allocId);
      summary.allocIdToDealId.set(allocId, dealId);
    }
  });

  // Deal states.
  acc.guard('error iterating deal states', () => {
    for (const [id, raw] of Amt.load<unknown>(store, st.states).entries()) {
      const s = DealState.fromCbor(raw);
      const shown = () => `[${s.sectorNumber}, ${s.sectorStartEpoch}, ${s.lastUpdatedEpoch}, ${s.slashEpoch}]`;
      acc.require(s.sectorStartEpoch >= 0n, () => `deal ${id} state start epoch undefined: ${shown()}`);
      acc.require(s.lastUpdatedEpoch === EPOCH_UNDEFINED || s.lastUpdatedEpoch >= s.sectorStartEpoch, () => `deal ${id} state last updated before sector start: ${shown()}`);
      acc.require(s.lastUpdatedEpoch === EPOCH_UNDEFINED || s.lastUpdatedEpoch <= currentEpoch, () => `deal ${id} last updated epoch ${s.lastUpdatedEpoch} after current ${currentEpoch}`);
      acc.require(s.slashEpoch === EPOCH_UNDEFINED || s.slashEpoch >= s.sectorStartEpoch, () => `deal ${id} state slashed before sector start: ${shown()}`);
      acc.require(s.slashEpoch === EPOCH_UNDEFINED || s.slashEpoch <= currentEpoch, () => `deal ${id} state slashed after current epoch ${currentEpoch}: ${shown()}`);
      const stats = summary.deals.get(id);
      if (stats === undefined) acc.add(`no deal proposal for deal state ${id}`);
      else {
        stats.sectorNumber = s.sectorNumber;
        stats.sectorStartEpoch = s.sectorStartEpoch;
        stats.lastUpdateEpoch = s.lastUpdatedEpoch;
        stats.slashEpoch = s.slashEpoch;
      }
      acc.require(!pendingAllocations.has(id), `deal ${id} has pending allocation`);
      summary.dealStateCount++;
    }
  });

  // Provider → sector → deals: entries are non-terminated deals (expired ones stay until settled).
  acc.guard('error iterating provider sector deals', () => {
    for (const [pk, root] of Hamt.load<unknown>(store, st.providerSectors, MARKET_HAMT_BITWIDTH).entries()) {
      const provider = parseU64Key(pk);
      const sectors = new Map<bigint, bigint[]>();
      summary.providerSectorDeals.set(provider, sectors);
      for (const [sk, list] of Hamt.load<unknown>(store, c.cid.fromCbor(root), MARKET_HAMT_BITWIDTH).entries()) {
        const sector = parseU64Key(sk);
        const ids = c.array(c.u64).fromCbor(list);
        sectors.set(sector, ids);
        for (const id of ids) {
          const stats = summary.deals.get(id);
          if (stats === undefined) {
            acc.add(`provider sector deal ${id} not found in proposals`);
            continue;
          }
          acc.require(stats.provider === provider, `provider sector deal ${id} provider ${provider} does not match proposal provider ${stats.provider}`);
          acc.require(stats.sectorNumber === sector, `provider sector deal ${id} sector ${sector} does not match proposal sector ${stats.sectorNumber}`);
          acc.require(stats.slashEpoch === EPOCH_UNDEFINED, `provider sector deal ${id} is slashed`);
        }
      }
    }
  });
  // Every active, non-terminated, non-expired deal is listed under its provider and sector.
  for (const [id, stats] of summary.deals) {
    if (stats.sectorStartEpoch >= 0n && stats.slashEpoch === EPOCH_UNDEFINED && stats.endEpoch > currentEpoch) {
      const listed = summary.providerSectorDeals.get(stats.provider)?.get(stats.sectorNumber)?.includes(id) ?? false;
      acc.require(listed, `active deal ${id} not found in provider sector deals`);
    }
  }

  // Pending proposals.
  acc.guard('error iterating pending proposals', () => {
    for (const k of Hamt.load<unknown>(store, st.pendingProposals, MARKET_HAMT_BITWIDTH).keys()) {
      const cid = CID.decode(k);
      acc.require(proposalCids.has(cid.toString()), `pending proposal with cid ${cid.toString()} not found within proposals`);
      summary.pendingProposalCount++;
    }
  });

  // Escrow and locked tables.
  acc.guard('error checking balance tables', () => {
    const escrow = BalanceTable.load(store, st.escrowTable);
    const locked = BalanceTable.load(store, st.lockedTable);
    let lockedTotal = 0n;
    for (const [k, amount] of locked.entries()) {
      lockedTotal += amount;
      const party = Address.fromBytes(k);
      const escrowAmount = escrow.get(party);
      acc.require(escrowAmount >= amount, `locked funds for ${party.toString()}, ${amount}, greater than escrow amount, ${escrowAmount}`);
      summary.lockTableCount++;
    }
    const expected = st.totalProviderLockedCollateral + st.totalClientLockedCollateral + st.totalClientStorageFee;
    acc.require(
      lockedTotal === expected,
      `locked total, ${lockedTotal}, does not sum to provider locked, ${st.totalProviderLockedCollateral}, client locked, ${st.totalClientLockedCollateral}, and client storage fee, ${st.totalClientStorageFee}`,
    );
    const escrowTotal = escrow.total();
    acc.require(escrowTotal <= balance, `escrow total, ${escrowTotal}, greater than actor balance, ${balance}`);
    acc.require(escrowTotal >= totalProposalCollateral, `escrow total, ${escrowTotal}, less than sum of proposal collateral, ${totalProposalCollateral}`);
  });

  // Deal ops: every proposal that has not started yet must be scheduled.
  acc.guard('error iterating deal ops', () => {
    for (const [ek, root] of Hamt.load<unknown>(store, st.dealOpsByEpoch, MARKET_HAMT_BITWIDTH).entries()) {
      parseEpochKey(ek);
      summary.dealOpEpochCount++;
      for (const k of Hamt.load<unknown>(store, c.cid.fromCbor(root), MARKET_HAMT_BITWIDTH).keys()) {
        expectedDealOps.delete(parseU64Key(k));
        summary.dealOpCount++;
      }
    }
  });
  acc.require(expectedDealOps.size === 0, () => `missing deal ops for proposals: ${[...expectedDealOps].join(', ')}`);

  return { summary, messages: acc.messages };
}
