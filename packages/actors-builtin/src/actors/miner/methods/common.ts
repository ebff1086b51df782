/**
 * Helpers shared by the miner's handlers: error conversion (`downcast_default`, `context_code`),
 * caller checks, miner info access, the requests to Reward/Power/Market/Verifreg, burning, cron
 * enrolment, worker/peer/control-address checks and the FIP-0077 create-miner deposit.
 *
 * - Source: builtin-actors v18 `actors/miner/src/lib.rs` (the free functions after `impl Actor`).
 *
 * @module
 */
import { ActorError, Address, type BitField, BitFieldError, type Blockstore, ExitCode, type Runtime, encodeWith } from 'fvm-sim';
import { BatchReturn } from '../../../shared/codecs.js';
import { BURNT_FUNDS_ACTOR_ADDR, REWARD_ACTOR_ADDR, STORAGE_MARKET_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR, SYSTEM_ACTOR_ADDR, VERIFIED_REGISTRY_ACTOR_ADDR } from '../../../shared/singletons.js';
import {
  ACCOUNT_PUBKEY_ADDRESS_METHOD,
  type Claim,
  CurrentTotalPowerReturn,
  EnrollCronEventParams,
  GetClaimsParams,
  GetClaimsReturn,
  MARKET_ON_MINER_SECTORS_TERMINATE_METHOD,
  OnMinerSectorsTerminateParams,
  POWER_CURRENT_TOTAL_POWER_METHOD,
  POWER_ENROLL_CRON_EVENT_METHOD,
  POWER_UPDATE_CLAIMED_POWER_METHOD,
  POWER_UPDATE_PLEDGE_TOTAL_METHOD,
  PubkeyAddressReturn,
  REWARD_THIS_EPOCH_REWARD_METHOD,
  ThisEpochRewardReturn,
  UpdateClaimedPowerParams,
  UpdatePledgeTotalParams,
  VERIFREG_GET_CLAIMS_METHOD,
  deserializeReturn,
  extractSendResult,
} from '../ext.js';
import { initialPledgeForPower } from '../monies.js';
import { type MinerPolicy, canUsePoStProof, sealProofSectorMaximumLifetime } from '../policy.js';
import { getInfo, saveInfo } from '../state.js';
import { CronEventPayload, CronEventType, MinerExitCode, type MinerInfo, type MinerState, type PowerPair, type SectorOnChainInfo } from '../types.js';
import { MinerStateError, checkBalanceInvariants, repayDebts } from '../vesting.js';

/** Method 0: a plain value transfer. */
export const METHOD_SEND = 0;

// ---------------------------------------------------------------------------------------------
// Errors

/** Whether `e` is the engine's out-of-gas signal, which must never be converted. */
function isEngineSignal(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === 'OutOfGas';
}

function messageOf(e: unknown): string {
  if (e instanceof ActorError) return e.reason;
  return e instanceof Error ? e.message : String(e);
}

/**
 * builtin-actors `downcast_default(code, msg)`: an {@link ActorError} keeps its code (and gets `msg`
 * prefixed); a {@link MinerStateError} carrying an exit code (e.g. 19 from `repayDebts`) gets that
 * code; anything else becomes `code`. The engine's out-of-gas signal is rethrown untouched.
 *
 * @example
 * ```ts
 * try { saveDeadlines(store, st, deadlines); } catch (e) { throw downcastDefault(e, ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines'); }
 * ```
 */
export function downcastDefault(e: unknown, code: number, msg: string): ActorError {
  if (isEngineSignal(e)) throw e;
  if (e instanceof ActorError) return new ActorError(e.exitCode, `${msg}: ${e.reason}`, e.data);
  if (e instanceof MinerStateError && e.exitCode !== undefined) return new ActorError(e.exitCode, `${msg}: ${e.message}`);
  if (e instanceof BitFieldError) return new ActorError(ExitCode.USR_SERIALIZATION, `${msg}: ${e.message}`);
  return new ActorError(code, `${msg}: ${messageOf(e)}`);
}

/** builtin-actors `context_code(code, msg)`: whatever the error, it becomes `code` with `msg` prefixed. */
export function contextCode(e: unknown, code: number, msg: string): ActorError {
  if (isEngineSignal(e)) throw e;
  return new ActorError(code, `${msg}: ${messageOf(e)}`);
}

/** builtin-actors `ActorError::wrap(msg)` (or `context` on an actor error): same code and data, `msg` prefixed. */
export function wrapError(e: unknown, msg: string): unknown {
  if (e instanceof ActorError) return new ActorError(e.exitCode, `${msg}: ${e.reason}`, e.data);
  return e;
}

/** Runs `fn`, converting its failure with {@link downcastDefault}. */
export function orDowncast<T>(code: number, msg: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw downcastDefault(e, code, msg);
  }
}

/** Runs `fn`, converting its failure with {@link contextCode}. */
export function orContextCode<T>(code: number, msg: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw contextCode(e, code, msg);
  }
}

/** The error of a broken balance invariant: exit code 1000 (lib.rs `balance_invariants_broken`). */
export function balanceInvariantsBroken(e: unknown): ActorError {
  if (isEngineSignal(e)) throw e;
  return new ActorError(MinerExitCode.BalanceInvariantsBroken, `balance invariants broken: ${messageOf(e)}`);
}

/** Checks the funds invariants of the current state against the balance, aborting with 1000 (lib.rs, end of most methods). */
export function checkBalanceInvariantsOrAbort(rt: Runtime, st: MinerState): void {
  try {
    checkBalanceInvariants(st, rt.currentBalance());
  } catch (e) {
    throw balanceInvariantsBroken(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Miner info

/** Loads the miner info block (lib.rs `get_miner_info`); USR_ILLEGAL_STATE "could not read miner info" on failure. */
export function getMinerInfo(store: Blockstore, st: MinerState): MinerInfo {
  try {
    return getInfo(store, st);
  } catch (e) {
    throw downcastDefault(e, ExitCode.USR_ILLEGAL_STATE, 'could not read miner info');
  }
}

/** Stores `info` in its own block and points the state at it (state.rs `save_info`). */
export function saveMinerInfo(store: Blockstore, st: MinerState, info: MinerInfo): void {
  saveInfo(store, st, info);
}

/** The owner, the worker and the control addresses: the callers of most miner methods. */
export function controlAddressesOf(info: MinerInfo): Address[] {
  return [...info.controlAddresses, info.worker, info.owner];
}

/** Accepts only the owner, the worker or a control address; USR_FORBIDDEN otherwise. */
export function validateCallerIsControl(rt: Runtime, info: MinerInfo): void {
  rt.validateImmediateCallerIs(controlAddressesOf(info));
}

/** Whether a consensus fault penalty period is running: until `consensusFaultElapsed` inclusive (lib.rs `consensus_fault_active`). */
export function consensusFaultActive(info: MinerInfo, currEpoch: bigint): boolean {
  return currEpoch <= info.consensusFaultElapsed;
}

/**
 * Applies a pending worker key change once its effective epoch has come (lib.rs
 * `process_pending_worker`): the worker is replaced and the pending change cleared, then the info
 * is saved into `st`.
 */
export function processPendingWorker(info: MinerInfo, rt: Runtime, st: MinerState): void {
  const pending = info.pendingWorkerKey;
  if (pending === null) return;
  if (rt.curEpoch < pending.effectiveAt) return;
  info.worker = pending.newWorker;
  info.pendingWorkerKey = null;
  orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save miner info', () => saveMinerInfo(rt.store, st, info));
}

/**
 * Repays all fee debt from the unlocked balance, aborting when it cannot (lib.rs
 * `repay_debts_or_abort`; USR_INSUFFICIENT_FUNDS from `repayDebts`).
 *
 * @returns the amount to burn.
 */
export function repayDebtsOrAbort(rt: Runtime, st: MinerState): bigint {
  return orDowncast(ExitCode.USR_ILLEGAL_STATE, 'unlocked balance can not repay fee debt', () => repayDebts(st, rt.currentBalance()));
}

// ---------------------------------------------------------------------------------------------
// Parameter checks

/** At most `maxControlAddresses` control addresses (lib.rs `check_control_addresses`). */
export function checkControlAddresses(policy: MinerPolicy, addrs: readonly Address[]): void {
  if (BigInt(addrs.length) > policy.maxControlAddresses) {
    throw ActorError.illegalArgument(`control addresses length ${addrs.length} exceeds max control addresses length ${policy.maxControlAddresses}`);
  }
}

/** The Window PoSt proof must be allowed for new miners (lib.rs `check_valid_post_proof_type`). */
export function checkValidPostProofType(policy: MinerPolicy, proof: number): void {
  if (!canUsePoStProof(policy, proof)) throw ActorError.illegalArgument(`proof type ${proof} not allowed for new miner actors`);
}

/** Peer ID at most `maxPeerIdLength` bytes; multiaddrs non-empty and at most `maxMultiaddrData` bytes in total (lib.rs `check_peer_info`). */
export function checkPeerInfo(policy: MinerPolicy, peerId: Uint8Array, multiaddrs: readonly Uint8Array[]): void {
  if (BigInt(peerId.length) > policy.maxPeerIdLength) {
    throw ActorError.illegalArgument(`peer ID size of ${peerId.length} exceeds maximum size of ${policy.maxPeerIdLength}`);
  }
  let total = 0;
  for (const ma of multiaddrs) {
    if (ma.length === 0) throw ActorError.illegalArgument('invalid empty multiaddr');
    total += ma.length;
  }
  if (BigInt(total) > policy.maxMultiaddrData) throw ActorError.illegalArgument(`multiaddr size of ${total} exceeds maximum of ${policy.maxMultiaddrData}`);
}

/**
 * A sector's expiration must be after activation, at least `minSectorExpiration` after it, at most
 * `maxSectorExpirationExtension` after now, and within the seal proof's maximum lifetime (lib.rs
 * `validate_expiration`). USR_ILLEGAL_ARGUMENT otherwise.
 */
export function validateExpiration(policy: MinerPolicy, currEpoch: bigint, activation: bigint, expiration: bigint, sealProof: number): void {
  if (expiration <= activation) throw ActorError.illegalArgument(`sector expiration ${expiration} must be after activation ${activation}`);
  if (expiration - activation < policy.minSectorExpiration) {
    throw ActorError.illegalArgument(
      `invalid expiration ${expiration}, total sector lifetime (${expiration - activation}) must exceed ${policy.minSectorExpiration} after activation ${activation}`,
    );
  }
  if (expiration > currEpoch + policy.maxSectorExpirationExtension) {
    throw ActorError.illegalArgument(`invalid expiration ${expiration}, cannot be more than ${policy.maxSectorExpirationExtension} past current epoch ${currEpoch}`);
  }
  const maxLifetime = sealProofSectorMaximumLifetime(sealProof);
  if (maxLifetime === undefined) throw ActorError.illegalArgument(`unrecognized seal proof type ${sealProof}`);
  if (expiration - activation > maxLifetime) {
    throw ActorError.illegalArgument(`invalid expiration ${expiration}, total sector lifetime (${expiration - activation}) cannot exceed ${maxLifetime} after activation ${activation}`);
  }
}

/** Sum of the sectors' daily fees (lib.rs `daily_fee_for_sectors`). */
export function dailyFeeForSectors(sectors: readonly SectorOnChainInfo[]): bigint {
  let sum = 0n;
  for (const s of sectors) sum += s.dailyFee;
  return sum;
}

/**
 * Resolves a worker address to an ID and checks it is an account with a BLS key (lib.rs
 * `resolve_worker_address`): the worker signs blocks with a BLS-VRF. A non-BLS address is resolved
 * through Account.PubkeyAddress.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT when unresolvable, not an account, or not BLS.
 */
export function resolveWorkerAddress(rt: Runtime, raw: Address): bigint {
  const resolved = rt.resolveAddress(raw);
  if (resolved === undefined) throw ActorError.illegalArgument(`unable to resolve address: ${raw.toString()}`);
  const code = rt.getActorCodeCid(resolved);
  if (code === undefined) throw ActorError.illegalArgument(`no code for address: ${resolved}`);
  if (rt.resolveBuiltinActorType(code) !== 'account') throw ActorError.illegalArgument(`worker actor type must be an account, was ${code.toString()}`);
  if (raw.protocol !== 3) {
    const res = rt.send(Address.newId(resolved), ACCOUNT_PUBKEY_ADDRESS_METHOD, null, 0n);
    const pubKey = deserializeReturn(PubkeyAddressReturn, extractSendResult(res, 'failed to get pubkey address'), 'pubkey address');
    if (pubKey.protocol !== 3) throw ActorError.illegalArgument(`worker account ${resolved} must have BLS pubkey, was ${pubKey.protocol}`);
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Requests to other actors

/** This epoch's smoothed reward and baseline power (lib.rs `request_current_epoch_block_reward`). */
export function requestCurrentEpochBlockReward(rt: Runtime): ThisEpochRewardReturn {
  let data: Uint8Array | null;
  try {
    data = extractSendResult(rt.send(REWARD_ACTOR_ADDR, REWARD_THIS_EPOCH_REWARD_METHOD, null, 0n), 'send');
  } catch (e) {
    throw wrapError(e, 'failed to check epoch reward');
  }
  return deserializeReturn(ThisEpochRewardReturn, data, 'this epoch reward');
}

/** The network's power totals and smoothed QA power (lib.rs `request_current_total_power`). */
export function requestCurrentTotalPower(rt: Runtime): CurrentTotalPowerReturn {
  let data: Uint8Array | null;
  try {
    data = extractSendResult(rt.send(STORAGE_POWER_ACTOR_ADDR, POWER_CURRENT_TOTAL_POWER_METHOD, null, 0n), 'send');
  } catch (e) {
    throw wrapError(e, 'failed to check current power');
  }
  return deserializeReturn(CurrentTotalPowerReturn, data, 'current total power');
}

/** Sends a power claim change to the power actor; nothing for a zero delta (lib.rs `request_update_power`). */
export function requestUpdatePower(rt: Runtime, delta: PowerPair): void {
  if (delta.raw === 0n && delta.qa === 0n) return;
  const params = encodeWith(UpdateClaimedPowerParams, { rawByteDelta: delta.raw, qualityAdjustedDelta: delta.qa });
  try {
    extractSendResult(rt.send(STORAGE_POWER_ACTOR_ADDR, POWER_UPDATE_CLAIMED_POWER_METHOD, params, 0n), 'send');
  } catch (e) {
    throw wrapError(e, `failed to update power with raw ${delta.raw} qa ${delta.qa}`);
  }
}

/** Tells the power actor the miner's pledge changed; nothing for zero (lib.rs `notify_pledge_changed`). */
export function notifyPledgeChanged(rt: Runtime, pledgeDelta: bigint): void {
  if (pledgeDelta === 0n) return;
  extractSendResult(rt.send(STORAGE_POWER_ACTOR_ADDR, POWER_UPDATE_PLEDGE_TOTAL_METHOD, encodeWith(UpdatePledgeTotalParams, pledgeDelta), 0n), 'failed to update pledge total');
}

/** Sends `amount` to f099; nothing unless positive (lib.rs `burn_funds`). */
export function burnFunds(rt: Runtime, amount: bigint): void {
  if (amount > 0n) extractSendResult(rt.send(BURNT_FUNDS_ACTOR_ADDR, METHOD_SEND, null, amount), 'failed to burn funds');
}

/** Enrolls a deferred cron callback with the power actor at `eventEpoch` (lib.rs `enroll_cron_event`). */
export function enrollCronEvent(rt: Runtime, eventEpoch: bigint, payload: CronEventPayload): void {
  const params = encodeWith(EnrollCronEventParams, { eventEpoch, payload: encodeWith(CronEventPayload, payload) });
  extractSendResult(rt.send(STORAGE_POWER_ACTOR_ADDR, POWER_ENROLL_CRON_EVENT_METHOD, params, 0n), 'failed to enroll cron event');
}

/** Enrolls the early-termination callback for the next epoch (lib.rs `schedule_early_termination_work`). */
export function scheduleEarlyTerminationWork(rt: Runtime): void {
  enrollCronEvent(rt, rt.curEpoch + 1n, { eventType: CronEventType.ProcessEarlyTerminations });
}

/** Whether some deadlines still hold early terminations to process (lib.rs `have_pending_early_terminations`). */
export function havePendingEarlyTerminations(st: MinerState): boolean {
  return !st.earlyTerminations.isEmpty();
}

/**
 * Tells the market that deals in `sectors` terminated at `epoch` (lib.rs `request_terminate_deals`).
 * In a cron context (origin f00) a failure is swallowed, so a broken market cannot freeze the miner.
 */
export function requestTerminateDeals(rt: Runtime, epoch: bigint, sectors: BitField): void {
  if (sectors.isEmpty()) return;
  try {
    extractSendResult(
      rt.send(STORAGE_MARKET_ACTOR_ADDR, MARKET_ON_MINER_SECTORS_TERMINATE_METHOD, encodeWith(OnMinerSectorsTerminateParams, { epoch, sectors }), 0n),
      'failed to terminate deals',
    );
  } catch (e) {
    if (rt.message.origin.equals(SYSTEM_ACTOR_ADDR) && e instanceof ActorError) return;
    throw e;
  }
}

/**
 * The verified registry's claims `ids` of this miner (lib.rs `get_claims`).
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT "invalid claims" unless every claim was found.
 */
export function getClaims(rt: Runtime, ids: readonly bigint[]): Claim[] {
  const params = encodeWith(GetClaimsParams, { provider: rt.message.receiver.id, claimIds: [...ids] });
  const ret = deserializeReturn(GetClaimsReturn, extractSendResult(rt.send(VERIFIED_REGISTRY_ACTOR_ADDR, VERIFREG_GET_CLAIMS_METHOD, params, 0n), 'failed to get claims'), 'get claims');
  if (ret.batchInfo.successCount < ids.length) throw ActorError.illegalArgument('invalid claims');
  return ret.claims;
}

/**
 * The FIP-0077 create-miner deposit: the initial pledge of `policy.createMinerDepositPower` under
 * this epoch's reward and power (lib.rs `calculate_create_miner_deposit`).
 */
export function calculateCreateMinerDeposit(rt: Runtime, policy: MinerPolicy): bigint {
  const rew = requestCurrentEpochBlockReward(rt);
  const pwr = requestCurrentTotalPower(rt);
  return initialPledgeForPower(
    policy.createMinerDepositPower,
    rew.thisEpochBaselinePower,
    rew.thisEpochRewardSmoothed,
    pwr.qualityAdjPowerSmoothed,
    rt.totalFilCircSupply(),
    rt.curEpoch - pwr.rampStartEpoch,
    pwr.rampDurationEpochs,
  );
}

// ---------------------------------------------------------------------------------------------
// Batch returns (builtin-actors `runtime/src/util/batch_return.rs`)

/** A BatchReturn of `n` successes (`BatchReturn::ok`). */
export function batchOk(n: number): BatchReturn {
  return { successCount: n, failCodes: [] };
}

/** The items whose index is not a failure of `batch` (`BatchReturn::successes`); `items` must have the batch's size. */
export function batchSuccesses<T>(batch: BatchReturn, items: readonly T[]): T[] {
  const size = batch.successCount + batch.failCodes.length;
  if (items.length !== size) throw new Error(`items length ${items.length} does not match batch size ${size}`);
  const failed = new Set(batch.failCodes.map((f) => f.idx));
  return items.filter((_, i) => !failed.has(i));
}

/**
 * Stacks batches where each applies to the successes of the previous (`util::stack`): the result
 * has the first batch's size, every failure at its index in the original list, and the last
 * batch's success count.
 */
export function stackBatches(batches: readonly BatchReturn[]): BatchReturn {
  if (batches.length === 0) return { successCount: 0, failCodes: [] };
  let base: BatchReturn = { successCount: batches[0]!.successCount, failCodes: [...batches[0]!.failCodes] };
  for (const nxt of batches.slice(1)) {
    const nxtSize = nxt.successCount + nxt.failCodes.length;
    if (base.successCount !== nxtSize) throw new Error(`can't stack batch of ${nxtSize} on batch with ${base.successCount} successes`);
    let bi = 0;
    let offset = 0;
    const shifted = nxt.failCodes.map((f) => {
      while (bi < base.failCodes.length && base.failCodes[bi]!.idx <= f.idx + offset) {
        bi++;
        offset++;
      }
      return { idx: f.idx + offset, code: f.code };
    });
    const failCodes = [...base.failCodes, ...shifted].sort((a, b) => a.idx - b.idx);
    base = { successCount: nxt.successCount, failCodes };
  }
  return base;
}
