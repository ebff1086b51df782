/**
 * The FRC-46 token state machine the DataCap actor wraps: balances, supply and allowances over
 * the token's HAMTs, with the token library's errors as exit codes. Pure: a blockstore and the
 * {@link TokenState} (updated in place), never the Runtime. Resolving addresses is the caller's
 * job (parties here are actor IDs).
 *
 * - Source: actors-utils v15 `frc46_token/src/token/state.rs` (TokenState) and
 *   `frc46_token/src/token/{mod,error}.rs` (validation and error → exit code mapping).
 *
 * @module
 */
import { ActorError, type Blockstore, type CID, Hamt, codec as c } from 'fvm-sim';
import { u64Key } from '../../shared/keys.js';
import { TOKEN_HAMT_BITWIDTH, type TokenState } from './types.js';

/** The empty token state (`TokenState::new`: zero supply, two empty HAMTs of bit width 3). */
export function constructTokenState(store: Blockstore): TokenState {
  const empty = Hamt.empty<unknown>(store, TOKEN_HAMT_BITWIDTH).flush();
  return { supply: 0n, balances: empty, allowances: empty, hamtBitWidth: TOKEN_HAMT_BITWIDTH };
}

/** HAMT key of an actor ID: its unsigned varint (`actor_id_key`). */
export const actorIdKey = u64Key;

// ---------------------------------------------------------------------------------------------
// Validation (frc46_token `validate_amount_with_granularity`, `validate_allowance`)
// ---------------------------------------------------------------------------------------------

/**
 * Checks a transfer, mint or burn amount.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT if negative or not a multiple of `granularity`.
 */
export function validateAmount(amount: bigint, name: string, granularity: bigint): void {
  if (amount < 0n) throw ActorError.illegalArgument(`value ${amount} for "${name}" must be non-negative`);
  if (amount % granularity !== 0n) throw ActorError.illegalArgument(`amount ${amount} for "${name}" must be a multiple of ${granularity}`);
}

/**
 * Checks an allowance amount or delta.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT if negative.
 */
export function validateAllowance(amount: bigint, name: string): void {
  if (amount < 0n) throw ActorError.illegalArgument(`value ${amount} for "${name}" must be non-negative`);
}

/** `InsufficientAllowance` (USR_INSUFFICIENT_FUNDS). */
export function insufficientAllowance(owner: string, operator: string, allowance: bigint, delta: bigint): ActorError {
  return ActorError.insufficientFunds(`${operator} attempted to utilise ${delta} of allowance ${allowance} set by ${owner}`);
}

// ---------------------------------------------------------------------------------------------
// Balances and supply
// ---------------------------------------------------------------------------------------------

function loadBalances(store: Blockstore, st: TokenState): Hamt<unknown> {
  return Hamt.load<unknown>(store, st.balances, st.hamtBitWidth);
}

/** The balance of `owner` (zero when absent). */
export function getBalance(store: Blockstore, st: TokenState, owner: bigint): bigint {
  const raw = loadBalances(store, st).get(actorIdKey(owner));
  return raw === undefined ? 0n : c.bigint.fromCbor(raw);
}

/**
 * Adds `delta` (may be negative) to `owner`'s balance; a zero delta changes nothing. A balance
 * reaching zero is deleted. Returns the new balance.
 *
 * @throws ActorError USR_INSUFFICIENT_FUNDS if the balance would go negative.
 */
export function changeBalanceBy(store: Blockstore, st: TokenState, owner: bigint, delta: bigint): bigint {
  if (delta === 0n) return getBalance(store, st, owner);
  const map = loadBalances(store, st);
  const key = actorIdKey(owner);
  const raw = map.get(key);
  const balance = raw === undefined ? 0n : c.bigint.fromCbor(raw);
  const next = balance + delta;
  if (next < 0n) throw ActorError.insufficientFunds(`negative balance caused by decreasing ${owner}'s balance of ${balance} by ${-delta}`);
  if (next === 0n) map.delete(key);
  else map.set(key, c.bigint.toCbor(next));
  st.balances = map.flush();
  return next;
}

/**
 * Adds `delta` to the supply.
 *
 * @throws ActorError USR_ILLEGAL_STATE if the supply would go negative.
 */
export function changeSupplyBy(st: TokenState, delta: bigint): bigint {
  const next = st.supply + delta;
  if (next < 0n) throw ActorError.illegalState(`total_supply cannot be negative, cannot apply delta of ${delta} to ${st.supply}`);
  st.supply = next;
  return next;
}

/**
 * Moves `amount` from `from` to `to`. Between the same account it moves nothing but still
 * requires the balance to cover the amount (`make_transfer`).
 *
 * @throws ActorError USR_INSUFFICIENT_FUNDS if `from` holds less than `amount`.
 */
export function makeTransfer(store: Blockstore, st: TokenState, from: bigint, to: bigint, amount: bigint): void {
  if (from === to) {
    const balance = getBalance(store, st, from);
    if (balance < amount) throw ActorError.insufficientFunds(`negative balance caused by decreasing ${from}'s balance of ${balance} by ${amount}`);
    return;
  }
  changeBalanceBy(store, st, from, -amount);
  changeBalanceBy(store, st, to, amount);
}

// ---------------------------------------------------------------------------------------------
// Allowances
// ---------------------------------------------------------------------------------------------

function loadAllowances(store: Blockstore, st: TokenState): Hamt<unknown> {
  return Hamt.load<unknown>(store, st.allowances, st.hamtBitWidth);
}

function loadOwnerAllowances(store: Blockstore, st: TokenState, owner: bigint): Hamt<unknown> | undefined {
  const raw = loadAllowances(store, st).get(actorIdKey(owner));
  return raw === undefined ? undefined : Hamt.load<unknown>(store, c.cid.fromCbor(raw), st.hamtBitWidth);
}

/** The allowance `owner` gave `operator` (zero when absent). */
export function getAllowance(store: Blockstore, st: TokenState, owner: bigint, operator: bigint): bigint {
  const raw = loadOwnerAllowances(store, st, owner)?.get(actorIdKey(operator));
  return raw === undefined ? 0n : c.bigint.fromCbor(raw);
}

/** Stores the owner's allowance map back into the root map (deleting it when empty). */
function saveOwnerAllowances(store: Blockstore, st: TokenState, owner: bigint, map: Hamt<unknown>): void {
  const root = loadAllowances(store, st);
  if (map.isEmpty) root.delete(actorIdKey(owner));
  else root.set(actorIdKey(owner), map.flush() as CID);
  st.allowances = root.flush();
}

/**
 * Adds `delta` (may be negative) to an allowance, flooring at zero; a zero result is deleted, and
 * an owner with no allowances left has no map (`change_allowance_by`). Returns the new allowance.
 */
export function changeAllowanceBy(store: Blockstore, st: TokenState, owner: bigint, operator: bigint, delta: bigint): bigint {
  if (delta === 0n) return getAllowance(store, st, owner, operator);
  let map = loadOwnerAllowances(store, st, owner);
  if (map === undefined) {
    if (delta < 0n) return 0n;
    map = Hamt.empty<unknown>(store, st.hamtBitWidth);
  }
  const key = actorIdKey(operator);
  const raw = map.get(key);
  let next = (raw === undefined ? 0n : c.bigint.fromCbor(raw)) + delta;
  if (next < 0n) next = 0n;
  if (next === 0n) map.delete(key);
  else map.set(key, c.bigint.toCbor(next));
  saveOwnerAllowances(store, st, owner, map);
  return next;
}

/** Removes an allowance, returning what it was (`revoke_allowance`). */
export function revokeAllowance(store: Blockstore, st: TokenState, owner: bigint, operator: bigint): bigint {
  const map = loadOwnerAllowances(store, st, owner);
  if (map === undefined) return 0n;
  const key = actorIdKey(operator);
  const raw = map.get(key);
  const old = raw === undefined ? 0n : c.bigint.fromCbor(raw);
  map.delete(key);
  saveOwnerAllowances(store, st, owner, map);
  return old;
}

/** Sets an allowance to `amount` (≥ 0; zero revokes), returning the old one (`set_allowance`). */
export function setAllowance(store: Blockstore, st: TokenState, owner: bigint, operator: bigint, amount: bigint): bigint {
  if (amount === 0n) return revokeAllowance(store, st, owner, operator);
  const map = loadOwnerAllowances(store, st, owner) ?? Hamt.empty<unknown>(store, st.hamtBitWidth);
  const key = actorIdKey(operator);
  const raw = map.get(key);
  const old = raw === undefined ? 0n : c.bigint.fromCbor(raw);
  map.set(key, c.bigint.toCbor(amount));
  saveOwnerAllowances(store, st, owner, map);
  return old;
}

/**
 * Spends `amount` of the allowance `owner` gave `operator`, returning what is left
 * (`attempt_use_allowance`).
 *
 * @throws ActorError USR_INSUFFICIENT_FUNDS if the allowance is zero (for another operator) or
 *   below `amount`.
 */
export function attemptUseAllowance(store: Blockstore, st: TokenState, operator: bigint, owner: bigint, amount: bigint): bigint {
  const current = getAllowance(store, st, owner, operator);
  if ((current === 0n && operator !== owner) || current < amount) {
    throw insufficientAllowance(`f0${owner}`, `f0${operator}`, current, amount);
  }
  if (amount === 0n) return current;
  return changeAllowanceBy(store, st, owner, operator, -amount);
}

// ---------------------------------------------------------------------------------------------
// Enumeration (for invariants and summaries)
// ---------------------------------------------------------------------------------------------

/** Every stored balance, by actor ID (raw keys that are not varints are skipped). */
export function listBalances(store: Blockstore, st: TokenState): Map<bigint, bigint> {
  const out = new Map<bigint, bigint>();
  loadBalances(store, st).forEach((k, v) => {
    const id = decodeActorIdKey(k);
    if (id !== undefined) out.set(id, c.bigint.fromCbor(v));
  });
  return out;
}

/** Every stored allowance: owner → operator → amount. */
export function listAllowances(store: Blockstore, st: TokenState): Map<bigint, Map<bigint, bigint>> {
  const out = new Map<bigint, Map<bigint, bigint>>();
  loadAllowances(store, st).forEach((k, v) => {
    const owner = decodeActorIdKey(k);
    if (owner === undefined) return;
    const inner = new Map<bigint, bigint>();
    Hamt.load<unknown>(store, c.cid.fromCbor(v), st.hamtBitWidth).forEach((ok, ov) => {
      const operator = decodeActorIdKey(ok);
      if (operator !== undefined) inner.set(operator, c.bigint.fromCbor(ov));
    });
    out.set(owner, inner);
  });
  return out;
}

/** Decodes the leading varint of an actor-ID key, or undefined when there is none (`decode_actor_id`). */
export function decodeActorIdKey(key: Uint8Array): bigint | undefined {
  let v = 0n;
  let shift = 0n;
  for (let i = 0; i < key.length; i++) {
    const b = key[i]!;
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) return v;
    if (shift >= 70n) return undefined;
  }
  return undefined;
}
