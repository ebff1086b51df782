/**
 * Pure functions over the market state: they take a blockstore and the state object (which they
 * update in place), never the Runtime.
 *
 * - Source: builtin-actors `actors/market/src/state.rs`.
 *
 * @module
 */
import { ActorError, type Address, Amt, AmtError, type Blockstore, type CID, Hamt, codec as c } from 'fvm-sim';
import { epochKey, parseU64Key, u64Key } from '../../shared/keys.js';
import { BalanceTable } from './balanceTable.js';
import { collateralPenaltyForDealActivationMissed } from './policy.js';
import {
  DealProposal,
  DealState,
  EPOCH_UNDEFINED,
  EX_DEAL_EXPIRED,
  MARKET_HAMT_BITWIDTH,
  type MarketState,
  PROPOSALS_AMT_BITWIDTH,
  STATES_AMT_BITWIDTH,
  clientBalanceRequirement,
  providerBalanceRequirement,
  totalStorageFee,
} from './types.js';

/** Which of the three locked totals a lock or unlock moves. */
export type LockReason = 'ClientCollateral' | 'ClientStorageFee' | 'ProviderCollateral';

/**
 * Value stored for each member of a HAMT set: Rust `()`, which serde's dag-cbor serializer writes
 * as CBOR null (believed; not checked against a chain snapshot).
 */
const SET_MEMBER = null;
const DealIdList = c.array(c.u64);

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

/** The market state at construction (market `State::new`): empty collections, next ID 0, last cron -1. */
export function constructMarketState(store: Blockstore): MarketState {
  const emptyBalanceTable = BalanceTable.empty(store).flush();
  return {
    proposals: Amt.empty<unknown>(store, PROPOSALS_AMT_BITWIDTH).flush(),
    states: Amt.empty<unknown>(store, STATES_AMT_BITWIDTH).flush(),
    pendingProposals: Hamt.empty<unknown>(store, MARKET_HAMT_BITWIDTH).flush(),
    escrowTable: emptyBalanceTable,
    lockedTable: emptyBalanceTable,
    nextId: 0n,
    dealOpsByEpoch: Hamt.empty<unknown>(store, MARKET_HAMT_BITWIDTH).flush(),
    lastCron: EPOCH_UNDEFINED,
    totalClientLockedCollateral: 0n,
    totalProviderLockedCollateral: 0n,
    totalClientStorageFee: 0n,
    pendingDealAllocationIds: Hamt.empty<unknown>(store, MARKET_HAMT_BITWIDTH).flush(),
    providerSectors: Hamt.empty<unknown>(store, MARKET_HAMT_BITWIDTH).flush(),
  };
}

/** Σ of the three locked totals. */
export function totalLocked(st: MarketState): bigint {
  return st.totalClientLockedCollateral + st.totalProviderLockedCollateral + st.totalClientStorageFee;
}

/** Takes the next deal ID. */
export function generateStorageDealId(st: MarketState): bigint {
  const id = st.nextId;
  st.nextId = id + 1n;
  return id;
}

// ---------------------------------------------------------------------------------------------
// Proposals and deal states
// ---------------------------------------------------------------------------------------------

/** Opens the proposals AMT. */
export function loadProposals(store: Blockstore, st: MarketState): Amt<unknown> {
  return Amt.load<unknown>(store, st.proposals);
}

/** Opens the deal states AMT. */
export function loadDealStates(store: Blockstore, st: MarketState): Amt<unknown> {
  return Amt.load<unknown>(store, st.states);
}

/** A proposal from an opened AMT, or undefined. */
export function findProposalIn(proposals: Amt<unknown>, id: bigint): DealProposal | undefined {
  const raw = amtGet(proposals, id, 'proposal');
  return raw === undefined ? undefined : DealProposal.fromCbor(raw);
}

/** `amt.get`, with an index beyond the AMT's range as USR_ILLEGAL_STATE (market state.rs `with_context_code`). */
function amtGet(amt: Amt<unknown>, id: bigint, what: string): unknown {
  try {
    return amt.get(id);
  } catch (e) {
    if (e instanceof AmtError) throw ActorError.illegalState(`failed to get deal ${what} for ${id}: ${e.message}`);
    throw e;
  }
}

/**
 * A proposal from an opened AMT (market `get_proposal`).
 *
 * @throws ActorError EX_DEAL_EXPIRED (32) if the ID was used and cleaned up, USR_NOT_FOUND (17)
 *   if it was never published (`id ≥ next_id`).
 */
export function getProposalIn(proposals: Amt<unknown>, id: bigint, nextId: bigint): DealProposal {
  const p = findProposalIn(proposals, id);
  if (p !== undefined) return p;
  if (id < nextId) throw new ActorError(EX_DEAL_EXPIRED, `deal ${id} expired`);
  throw ActorError.notFound(`no such deal ${id}`);
}

/** A deal state from an opened AMT, or undefined. */
export function findDealStateIn(states: Amt<unknown>, id: bigint): DealState | undefined {
  const raw = amtGet(states, id, 'state');
  return raw === undefined ? undefined : DealState.fromCbor(raw);
}

/** A deal's proposal, or undefined. */
export function findProposal(store: Blockstore, st: MarketState, id: bigint): DealProposal | undefined {
  return findProposalIn(loadProposals(store, st), id);
}

/** A deal's proposal; see {@link getProposalIn} for the errors. */
export function getProposal(store: Blockstore, st: MarketState, id: bigint): DealProposal {
  return getProposalIn(loadProposals(store, st), id, st.nextId);
}

/** A deal's state, or undefined when not activated (or cleaned up). */
export function findDealState(store: Blockstore, st: MarketState, id: bigint): DealState | undefined {
  return findDealStateIn(loadDealStates(store, st), id);
}

/** Stores proposals under their IDs. */
export function putDealProposals(store: Blockstore, st: MarketState, entries: readonly (readonly [bigint, DealProposal])[]): void {
  const amt = loadProposals(store, st);
  for (const [id, p] of entries) amt.set(id, DealProposal.toCbor(p));
  st.proposals = amt.flush();
}

/** Deletes a proposal; returns it, or undefined if absent. */
export function removeProposal(store: Blockstore, st: MarketState, id: bigint): DealProposal | undefined {
  const amt = loadProposals(store, st);
  const found = findProposalIn(amt, id);
  if (found !== undefined) amt.delete(id);
  st.proposals = amt.flush();
  return found;
}

/** Stores deal states under their IDs. */
export function putDealStates(store: Blockstore, st: MarketState, entries: readonly (readonly [bigint, DealState])[]): void {
  const amt = loadDealStates(store, st);
  for (const [id, s] of entries) amt.set(id, DealState.toCbor(s));
  st.states = amt.flush();
}

/** Deletes a deal state; returns it, or undefined if absent. */
export function removeDealState(store: Blockstore, st: MarketState, id: bigint): DealState | undefined {
  const amt = loadDealStates(store, st);
  const found = findDealStateIn(amt, id);
  if (found !== undefined) amt.delete(id);
  st.states = amt.flush();
  return found;
}

/**
 * Deletes a deal's state and proposal together (market `remove_completed_deal`).
 *
 * @throws ActorError USR_ILLEGAL_STATE if either is missing.
 */
export function removeCompletedDeal(store: Blockstore, st: MarketState, id: bigint): void {
  if (removeDealState(store, st, id) === undefined) throw ActorError.illegalState('failed to delete deal state: does not exist');
  if (removeProposal(store, st, id) === undefined) throw ActorError.illegalState('failed to delete deal proposal: does not exist');
}

// ---------------------------------------------------------------------------------------------
// Pending proposals (a HAMT set of proposal CIDs)
// ---------------------------------------------------------------------------------------------

/** Opens the pending-proposals set. */
export function loadPendingProposals(store: Blockstore, st: MarketState): Hamt<unknown> {
  return Hamt.load<unknown>(store, st.pendingProposals, MARKET_HAMT_BITWIDTH);
}

/** Whether a proposal CID is pending. */
export function hasPendingDeal(store: Blockstore, st: MarketState, cid: CID): boolean {
  return loadPendingProposals(store, st).has(cid.bytes);
}

/** Adds proposal CIDs to the pending set. */
export function putPendingDeals(store: Blockstore, st: MarketState, cids: readonly CID[]): void {
  const set = loadPendingProposals(store, st);
  for (const cid of cids) set.set(cid.bytes, SET_MEMBER);
  st.pendingProposals = set.flush();
}

/** Removes a proposal CID from the pending set; returns whether it was there. */
export function removePendingDeal(store: Blockstore, st: MarketState, cid: CID): boolean {
  const set = loadPendingProposals(store, st);
  const removed = set.delete(cid.bytes);
  st.pendingProposals = set.flush();
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Pending allocation IDs (HAMT DealID → AllocationID)
// ---------------------------------------------------------------------------------------------

/** Opens the pending allocation IDs map. */
export function loadPendingDealAllocationIds(store: Blockstore, st: MarketState): Hamt<unknown> {
  return Hamt.load<unknown>(store, st.pendingDealAllocationIds, MARKET_HAMT_BITWIDTH);
}

/** Records allocation IDs of verified deals. */
export function putPendingDealAllocationIds(store: Blockstore, st: MarketState, entries: readonly (readonly [bigint, bigint])[]): void {
  const map = loadPendingDealAllocationIds(store, st);
  for (const [dealId, allocId] of entries) map.set(u64Key(dealId), c.u64.toCbor(allocId));
  st.pendingDealAllocationIds = map.flush();
}

/** Removes and returns a deal's allocation ID from an opened map (undefined if none). */
export function takeAllocationId(map: Hamt<unknown>, dealId: bigint): bigint | undefined {
  const key = u64Key(dealId);
  const raw = map.get(key);
  if (raw === undefined) return undefined;
  map.delete(key);
  return c.u64.fromCbor(raw);
}

/** Removes a deal's pending allocation ID, if any; returns it. */
export function removePendingDealAllocationId(store: Blockstore, st: MarketState, dealId: bigint): bigint | undefined {
  const map = loadPendingDealAllocationIds(store, st);
  const id = takeAllocationId(map, dealId);
  st.pendingDealAllocationIds = map.flush();
  return id;
}

// ---------------------------------------------------------------------------------------------
// Deal ops by epoch (SetMultimap: HAMT epoch → HAMT set of deal IDs)
// ---------------------------------------------------------------------------------------------

/** Opens the deal-ops multimap's outer HAMT. */
export function loadDealOps(store: Blockstore, st: MarketState): Hamt<unknown> {
  return Hamt.load<unknown>(store, st.dealOpsByEpoch, MARKET_HAMT_BITWIDTH);
}

function addDealOps(store: Blockstore, outer: Hamt<unknown>, epoch: bigint, ids: readonly bigint[]): void {
  const key = epochKey(epoch);
  const root = outer.get(key);
  const inner = root === undefined ? Hamt.empty<unknown>(store, MARKET_HAMT_BITWIDTH) : Hamt.load<unknown>(store, c.cid.fromCbor(root), MARKET_HAMT_BITWIDTH);
  for (const id of ids) inner.set(u64Key(id), SET_MEMBER);
  outer.set(key, inner.flush());
}

/** Schedules each `[epoch, dealId]` (SetMultimap `put`). */
export function putDealsByEpoch(store: Blockstore, st: MarketState, entries: readonly (readonly [bigint, bigint])[]): void {
  const outer = loadDealOps(store, st);
  for (const [epoch, id] of entries) addDealOps(store, outer, epoch, [id]);
  st.dealOpsByEpoch = outer.flush();
}

/** Schedules deals per epoch (SetMultimap `put_many`). */
export function putBatchDealsByEpoch(store: Blockstore, st: MarketState, byEpoch: ReadonlyMap<bigint, readonly bigint[]>): void {
  if (byEpoch.size === 0) return; // nothing to write: the root stays (cron calls this every epoch)
  const outer = loadDealOps(store, st);
  for (const [epoch, ids] of [...byEpoch].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) addDealOps(store, outer, epoch, ids);
  st.dealOpsByEpoch = outer.flush();
}

/** Deal IDs scheduled at `epoch`, in the inner set's HAMT order, from an opened outer HAMT. */
export function dealsForEpochIn(store: Blockstore, outer: Hamt<unknown>, epoch: bigint): bigint[] {
  const root = outer.get(epochKey(epoch));
  if (root === undefined) return [];
  const out: bigint[] = [];
  for (const k of Hamt.load<unknown>(store, c.cid.fromCbor(root), MARKET_HAMT_BITWIDTH).keys()) out.push(parseU64Key(k));
  return out;
}

/** Deal IDs scheduled at `epoch`. */
export function getDealsForEpoch(store: Blockstore, st: MarketState, epoch: bigint): bigint[] {
  return dealsForEpochIn(store, loadDealOps(store, st), epoch);
}

/** Removes whole epochs from the schedule (SetMultimap `remove_all`). */
export function removeDealsByEpoch(store: Blockstore, st: MarketState, epochs: readonly bigint[]): void {
  if (epochs.length === 0) return; // nothing to remove: the root stays (cron calls this every epoch)
  const outer = loadDealOps(store, st);
  for (const e of epochs) outer.delete(epochKey(e));
  st.dealOpsByEpoch = outer.flush();
}

// ---------------------------------------------------------------------------------------------
// Provider → sector → deal IDs
// ---------------------------------------------------------------------------------------------

/** Opens the provider-sectors HAMT. */
export function loadProviderSectors(store: Blockstore, st: MarketState): Hamt<unknown> {
  return Hamt.load<unknown>(store, st.providerSectors, MARKET_HAMT_BITWIDTH);
}

/** Opens a provider's sector → deal IDs HAMT (empty if the provider has none). */
export function loadSectorDeals(store: Blockstore, providerSectors: Hamt<unknown>, provider: bigint): Hamt<unknown> {
  const root = providerSectors.get(u64Key(provider));
  return root === undefined ? Hamt.empty<unknown>(store, MARKET_HAMT_BITWIDTH) : Hamt.load<unknown>(store, c.cid.fromCbor(root), MARKET_HAMT_BITWIDTH);
}

function saveSectorDeals(providerSectors: Hamt<unknown>, provider: bigint, sectorDeals: Hamt<unknown>): void {
  if (sectorDeals.isEmpty) providerSectors.delete(u64Key(provider));
  else providerSectors.set(u64Key(provider), sectorDeals.flush());
}

/**
 * Adds deal IDs to a provider's sectors, merged with those already there, sorted and deduplicated
 * (market `put_sector_deal_ids`). A sector given with no deals still gets an (empty) entry.
 */
export function putSectorDealIds(store: Blockstore, st: MarketState, provider: bigint, sectorDealIds: readonly (readonly [bigint, readonly bigint[]])[]): void {
  const providerSectors = loadProviderSectors(store, st);
  const sectorDeals = loadSectorDeals(store, providerSectors, provider);
  for (const [sector, deals] of sectorDealIds) {
    const key = u64Key(sector);
    const existing = sectorDeals.get(key);
    const merged = [...deals, ...(existing === undefined ? [] : DealIdList.fromCbor(existing))];
    sectorDeals.set(key, DealIdList.toCbor(sortedUnique(merged)));
  }
  saveSectorDeals(providerSectors, provider, sectorDeals);
  st.providerSectors = providerSectors.flush();
}

/** Removes the given sectors of a provider and returns their deal IDs, in order (market `pop_sector_deal_ids`). */
export function popSectorDealIds(store: Blockstore, st: MarketState, provider: bigint, sectors: Iterable<bigint>): bigint[] {
  const providerSectors = loadProviderSectors(store, st);
  // A provider with no sectors has nothing to pop: return before iterating (market state.rs).
  if (!providerSectors.has(u64Key(provider))) return [];
  const sectorDeals = loadSectorDeals(store, providerSectors, provider);
  const popped: bigint[] = [];
  let found = false;
  for (const sector of sectors) {
    const key = u64Key(sector);
    const raw = sectorDeals.get(key);
    if (raw === undefined) continue;
    sectorDeals.delete(key);
    popped.push(...DealIdList.fromCbor(raw));
    found = true;
  }
  if (found) {
    saveSectorDeals(providerSectors, provider, sectorDeals);
    st.providerSectors = providerSectors.flush();
  }
  return popped;
}

/**
 * Removes deal IDs from providers' sectors, deleting sectors left empty; missing entries are
 * ignored (market `remove_sector_deal_ids`).
 */
export function removeSectorDealIds(store: Blockstore, st: MarketState, toRemove: ReadonlyMap<bigint, ReadonlyMap<bigint, readonly bigint[]>>): void {
  const providerSectors = loadProviderSectors(store, st);
  for (const [provider, sectors] of toRemove) {
    const sectorDeals = loadSectorDeals(store, providerSectors, provider);
    let changed = false;
    for (const [sector, deals] of sectors) {
      const key = u64Key(sector);
      const raw = sectorDeals.get(key);
      if (raw === undefined) continue;
      const kept = DealIdList.fromCbor(raw).filter((d) => !deals.includes(d));
      changed = true;
      if (kept.length === 0) sectorDeals.delete(key);
      else sectorDeals.set(key, DealIdList.toCbor(kept));
    }
    if (changed) saveSectorDeals(providerSectors, provider, sectorDeals);
  }
  st.providerSectors = providerSectors.flush();
}

/** Adds `dealId` under `provider → sector` in a nested map, as the real code's BTreeMaps. */
export function addToRemoval(map: Map<bigint, Map<bigint, bigint[]>>, provider: bigint, sector: bigint, dealId: bigint): void {
  let sectors = map.get(provider);
  if (sectors === undefined) map.set(provider, (sectors = new Map()));
  const list = sectors.get(sector);
  if (list === undefined) sectors.set(sector, [dealId]);
  else list.push(dealId);
}

function sortedUnique(xs: bigint[]): bigint[] {
  const sorted = xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.filter((x, i) => i === 0 || sorted[i - 1] !== x);
}

// ---------------------------------------------------------------------------------------------
// Balances
// ---------------------------------------------------------------------------------------------

/** Credits escrow (AddBalance). */
export function addBalanceToEscrowTable(store: Blockstore, st: MarketState, addr: Address, amount: bigint): void {
  const escrow = BalanceTable.load(store, st.escrowTable);
  escrow.add(addr, amount);
  st.escrowTable = escrow.flush();
}

/**
 * Takes up to `amount` of the unlocked escrow of `addr`; returns what was taken
 * (market `withdraw_balance_from_escrow_table`).
 */
export function withdrawBalanceFromEscrowTable(store: Blockstore, st: MarketState, addr: Address, amount: bigint): bigint {
  const escrow = BalanceTable.load(store, st.escrowTable);
  const locked = BalanceTable.load(store, st.lockedTable);
  const taken = escrow.subtractWithMinimum(addr, amount, locked.get(addr));
  st.escrowTable = escrow.flush();
  return taken;
}

/** `[escrow, locked]` of an address. */
export function balancesOf(store: Blockstore, st: MarketState, addr: Address): { escrow: bigint; locked: bigint } {
  return { escrow: BalanceTable.load(store, st.escrowTable).get(addr), locked: BalanceTable.load(store, st.lockedTable).get(addr) };
}

/** Whether escrow covers an additional lock of `amountToLock`: `locked + amount ≤ escrow` (market `balance_covered`). */
export function balanceCovered(store: Blockstore, st: MarketState, addr: Address, amountToLock: bigint): boolean {
  const { escrow, locked } = balancesOf(store, st, addr);
  return locked + amountToLock <= escrow;
}

function maybeLockBalance(store: Blockstore, st: MarketState, addr: Address, amount: bigint): void {
  if (amount < 0n) throw ActorError.illegalState(`cannot lock negative amount ${amount}`);
  const escrow = BalanceTable.load(store, st.escrowTable);
  const locked = BalanceTable.load(store, st.lockedTable);
  const prevLocked = locked.get(addr);
  const balance = escrow.get(addr);
  if (prevLocked + amount > balance) {
    throw ActorError.insufficientFunds(`not enough balance to lock for addr ${addr.toString()}: escrow balance ${balance} < prev locked ${prevLocked} + amount ${amount}`);
  }
  locked.add(addr, amount);
  st.lockedTable = locked.flush();
}

/**
 * Locks a new deal's client requirement and provider collateral and raises the three totals
 * (market `lock_client_and_provider_balances`).
 *
 * @throws ActorError USR_INSUFFICIENT_FUNDS if escrow cannot cover either lock.
 */
export function lockClientAndProviderBalances(store: Blockstore, st: MarketState, p: DealProposal): void {
  withContext('locking client funds', () => maybeLockBalance(store, st, p.client, clientBalanceRequirement(p)));
  withContext('locking provider funds', () => maybeLockBalance(store, st, p.provider, p.providerCollateral));
  st.totalClientLockedCollateral += p.clientCollateral;
  st.totalClientStorageFee += totalStorageFee(p);
  st.totalProviderLockedCollateral += p.providerCollateral;
}

/** Unlocks `amount` of `addr` and lowers the matching total (market `unlock_balance`). */
export function unlockBalance(store: Blockstore, st: MarketState, addr: Address, amount: bigint, reason: LockReason): void {
  if (amount < 0n) throw ActorError.illegalState(`unlock negative amount: ${amount}`);
  const locked = BalanceTable.load(store, st.lockedTable);
  withContext('unlocking balance', () => locked.mustSubtract(addr, amount));
  if (reason === 'ClientCollateral') st.totalClientLockedCollateral -= amount;
  else if (reason === 'ClientStorageFee') st.totalClientStorageFee -= amount;
  else st.totalProviderLockedCollateral -= amount;
  st.lockedTable = locked.flush();
}

/** Moves locked client funds to the provider's unlocked escrow (a payment; market `transfer_balance`). */
export function transferBalance(store: Blockstore, st: MarketState, from: Address, to: Address, amount: bigint): void {
  if (amount < 0n) throw ActorError.illegalState(`transfer negative amount: ${amount}`);
  const escrow = BalanceTable.load(store, st.escrowTable);
  escrow.mustSubtract(from, amount);
  withContext('unlocking client balance', () => unlockBalance(store, st, from, amount, 'ClientStorageFee'));
  escrow.add(to, amount);
  st.escrowTable = escrow.flush();
}

/** Removes locked funds from escrow altogether (to be burnt; market `slash_balance`). */
export function slashBalance(store: Blockstore, st: MarketState, addr: Address, amount: bigint, reason: LockReason): void {
  if (amount < 0n) throw ActorError.illegalState(`negative amount to slash: ${amount}`);
  const escrow = BalanceTable.load(store, st.escrowTable);
  escrow.mustSubtract(addr, amount);
  st.escrowTable = escrow.flush();
  unlockBalance(store, st, addr, amount, reason);
}

// ---------------------------------------------------------------------------------------------
// Deal lifecycle
// ---------------------------------------------------------------------------------------------

/**
 * The storage fee still unpaid after `slashEpoch`: `price × (end − max(slash, start))`
 * (market `deal_get_payment_remaining`).
 */
export function dealGetPaymentRemaining(deal: DealProposal, slashEpoch: bigint): bigint {
  if (slashEpoch > deal.endEpoch) throw ActorError.illegalState(`deal slash epoch ${slashEpoch} after end epoch ${deal.endEpoch}`);
  // Payments are always for start → end, whenever the deal is slashed.
  const from = slashEpoch > deal.startEpoch ? slashEpoch : deal.startEpoch;
  const remaining = deal.endEpoch - from;
  if (remaining < 0n) throw ActorError.illegalState(`deal remaining duration negative: ${remaining}`);
  return deal.storagePricePerEpoch * remaining;
}

/**
 * A deal whose start passed without activation: unlock the client's fee and collateral, slash
 * the provider's whole collateral (market `process_deal_init_timed_out`). Returns the amount
 * slashed (to burn).
 */
export function processDealInitTimedOut(store: Blockstore, st: MarketState, deal: DealProposal): bigint {
  withContext('unlocking client storage fee', () => unlockBalance(store, st, deal.client, totalStorageFee(deal), 'ClientStorageFee'));
  withContext('unlocking client collateral', () => unlockBalance(store, st, deal.client, deal.clientCollateral, 'ClientCollateral'));
  const slashed = collateralPenaltyForDealActivationMissed(deal.providerCollateral);
  const remaining = providerBalanceRequirement(deal) - slashed;
  withContext('slashing balance', () => slashBalance(store, st, deal.provider, slashed, 'ProviderCollateral'));
  withContext('unlocking deal provider balance', () => unlockBalance(store, st, deal.provider, remaining, 'ProviderCollateral'));
  return slashed;
}

/** Normal expiry: unlock both collaterals (market `process_deal_expired`). */
export function processDealExpired(store: Blockstore, st: MarketState, deal: DealProposal, state: DealState): void {
  if (state.sectorStartEpoch === EPOCH_UNDEFINED) throw ActorError.illegalState('start sector epoch undefined');
  withContext('unlocking deal provider balance', () => unlockBalance(store, st, deal.provider, deal.providerCollateral, 'ProviderCollateral'));
  withContext('unlocking deal client balance', () => unlockBalance(store, st, deal.client, deal.clientCollateral, 'ClientCollateral'));
}

/**
 * Early termination of an active deal at `state.slashEpoch` (market `process_slashed_deal`):
 * pay the provider up to the slash epoch, unlock the client's remaining fee and collateral, and
 * slash the provider's whole collateral. Returns the amount slashed.
 */
export function processSlashedDeal(store: Blockstore, st: MarketState, deal: DealProposal, state: DealState): bigint {
  const start = deal.startEpoch > state.lastUpdatedEpoch ? deal.startEpoch : state.lastUpdatedEpoch;
  const end = deal.endEpoch < state.slashEpoch ? deal.endEpoch : state.slashEpoch;
  const elapsed = end - start > 0n ? end - start : 0n;
  const payment = deal.storagePricePerEpoch * elapsed;
  if (payment > 0n) transferBalance(store, st, deal.client, deal.provider, payment);
  const remaining = dealGetPaymentRemaining(deal, state.slashEpoch);
  withContext('unlocking client storage fee', () => unlockBalance(store, st, deal.client, remaining, 'ClientStorageFee'));
  withContext('unlocking client collateral', () => unlockBalance(store, st, deal.client, deal.clientCollateral, 'ClientCollateral'));
  const slashed = deal.providerCollateral;
  withContext('slashing balance', () => slashBalance(store, st, deal.provider, slashed, 'ProviderCollateral'));
  return slashed;
}

/** Outcome of {@link getActiveDealOrProcessTimeout}. */
export type LoadDealState =
  | { readonly kind: 'tooEarly' }
  | { readonly kind: 'proposalExpired'; readonly slashed: bigint }
  | { readonly kind: 'loaded'; readonly state: DealState };

/**
 * A deal's state if activated; otherwise, once its start epoch has come, times it out: unlock
 * and slash as {@link processDealInitTimedOut}, then delete the proposal, its pending CID and any
 * pending allocation ID (market `get_active_deal_or_process_timeout`).
 */
export function getActiveDealOrProcessTimeout(store: Blockstore, st: MarketState, curEpoch: bigint, dealId: bigint, deal: DealProposal, dealCid: CID): LoadDealState {
  const state = findDealState(store, st, dealId);
  if (state !== undefined) return { kind: 'loaded', state };
  if (curEpoch < deal.startEpoch) return { kind: 'tooEarly' };
  const slashed = processDealInitTimedOut(store, st, deal);
  if (removeProposal(store, st, dealId) === undefined) {
    throw ActorError.illegalState(`failed to delete deal ${dealId} proposal ${dealCid.toString()}: does not exist`);
  }
  if (!removePendingDeal(store, st, dealCid)) {
    throw ActorError.illegalState(`failed to delete pending deal ${dealId}: cid ${dealCid.toString()} does not exist`);
  }
  removePendingDealAllocationId(store, st, dealId);
  return { kind: 'proposalExpired', slashed };
}

/** Outcome of {@link processDealUpdate}. */
export interface DealUpdate {
  /** Slashed provider collateral (only for a legacy deal marked for termination). */
  readonly slashed: bigint;
  /** Payment moved from client to provider by this update. */
  readonly payment: bigint;
  /** The deal reached its end epoch normally. */
  readonly completed: boolean;
  /** The deal must be removed from state. */
  readonly remove: boolean;
}

/**
 * Settles an active deal up to `epoch` (market `process_deal_update`): pays
 * `price × (min(end, epoch) − max(start, last_updated))`, then completes the deal (unlocking both
 * collaterals) when `epoch ≥ end`. Legacy deals marked for termination are also slashed.
 * The caller sets `last_updated_epoch` and removes the deal as the result says.
 */
export function processDealUpdate(store: Blockstore, st: MarketState, state: DealState, deal: DealProposal, dealCid: CID, epoch: bigint): DealUpdate {
  const everUpdated = state.lastUpdatedEpoch !== EPOCH_UNDEFINED;
  const everSlashed = state.slashEpoch !== EPOCH_UNDEFINED;
  // The pending CID may already be gone (cron or an earlier settlement); that is fine.
  if (!everUpdated) removePendingDeal(store, st, dealCid);
  if (everUpdated && state.lastUpdatedEpoch > epoch) throw ActorError.illegalState(`deal updated at future epoch ${state.lastUpdatedEpoch}`);
  // Settling before the start is a no-op.
  if (deal.startEpoch > epoch) return { slashed: 0n, payment: 0n, completed: false, remove: false };

  let paymentEnd: bigint;
  if (everSlashed) {
    if (epoch < state.slashEpoch) throw ActorError.illegalState(`current epoch less than deal slash epoch ${state.slashEpoch}`);
    if (state.slashEpoch > deal.endEpoch) throw ActorError.illegalState(`deal slash epoch ${state.slashEpoch} after deal end ${deal.endEpoch}`);
    paymentEnd = state.slashEpoch;
  } else {
    paymentEnd = deal.endEpoch < epoch ? deal.endEpoch : epoch;
  }
  const paymentStart = everUpdated && state.lastUpdatedEpoch > deal.startEpoch ? state.lastUpdatedEpoch : deal.startEpoch;
  const payment = deal.storagePricePerEpoch * (paymentEnd - paymentStart);
  if (payment > 0n) transferBalance(store, st, deal.client, deal.provider, payment);

  if (everSlashed) {
    const remaining = dealGetPaymentRemaining(deal, state.slashEpoch);
    withContext('unlocking client storage fee', () => unlockBalance(store, st, deal.client, remaining, 'ClientStorageFee'));
    withContext('unlocking client collateral', () => unlockBalance(store, st, deal.client, deal.clientCollateral, 'ClientCollateral'));
    const slashed = deal.providerCollateral;
    withContext('slashing balance', () => slashBalance(store, st, deal.provider, slashed, 'ProviderCollateral'));
    return { slashed, payment: remaining + payment, completed: false, remove: true };
  }
  if (epoch >= deal.endEpoch) {
    processDealExpired(store, st, deal, state);
    return { slashed: 0n, payment, completed: true, remove: true };
  }
  return { slashed: 0n, payment, completed: false, remove: false };
}

/** Runs `fn`, prefixing the message of an ActorError it throws (builtin-actors `.context(...)`); the code is kept. */
export function withContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ActorError) throw new ActorError(e.exitCode, `${context}: ${e.reason}`, e.data);
    throw e;
  }
}
