import type { CID } from 'multiformats/cid';
import { Amt } from '../ipld/amt/index.js';
import { MemoryBlockstore } from '../ipld/blockstore.js';
import { onChainMessageCharge } from '../gas/priceList.js';
import { type GasOutputs, computeGasOutputs, zeroGasOutputs } from '../gas/outputs.js';
import { OutOfGas, toGas } from '../gas/tracker.js';
import { ExitCode } from '../primitives/exitCode.js';
import type { Address } from '../primitives/address.js';
import type { Signature } from '../primitives/signature.js';
import type { StampedEvent } from '../runtime/runtime.js';
import type { TraceFrame } from '../trace/trace.js';
import { CallManager } from './callManager.js';
import { BURNT_FUNDS_ACTOR_ID, type Machine, MachineError, REWARD_ACTOR_ID } from './machine.js';
import { type Message, chainLength } from './message.js';

/** A message receipt, as on chain: `[exit_code, return_data, gas_used, events_root]`. */
export interface Receipt {
  readonly exitCode: number;
  readonly returnData: Uint8Array | null;
  readonly gasUsed: bigint;
  /** Root of the AMT (bit width 5) of the message's events, or null when there are none. */
  readonly eventsRoot: CID | null;
}

/** Everything applying a message produced (ref-fvm `ApplyRet`). */
export interface ApplyResult extends Receipt {
  /** Where the gas money went. */
  readonly gasOutputs: GasOutputs;
  /** Events that survived, in order. */
  readonly events: readonly StampedEvent[];
  /** The top-level call and its subcalls (undefined for pre-validation failures). */
  readonly trace: TraceFrame | undefined;
  /** Why the message failed, for people (pre-validation reason, abort message). */
  readonly failureInfo?: string;
}

/** Bit width of the events AMT (ref-fvm `EVENTS_AMT_BITWIDTH`). */
export const EVENTS_AMT_BITWIDTH = 5;
/** Largest gas limit a message may carry here: milligas must stay below 2^53 (≈ 9·10^12 gas). */
export const MAX_GAS_LIMIT = 9_000_000_000_000n;
/** Gas limit given to implicit messages (Lotus uses MaxInt64/2; this is the largest exact one here). */
export const IMPLICIT_GAS_LIMIT = MAX_GAS_LIMIT;

function preValidationFailure(exitCode: number, minerPenalty: bigint, failureInfo: string): ApplyResult {
  return { exitCode, returnData: null, gasUsed: 0n, eventsRoot: null, gasOutputs: zeroGasOutputs(minerPenalty), events: [], trace: undefined, failureInfo };
}

/** Options of {@link applyMessage}. */
export interface ApplyMessageOptions {
  /** The message's signature: sets the on-chain length the inclusion gas is charged on. */
  readonly signature?: Signature;
}

/**
 * Applies an explicit (signed) message with ref-fvm's rules: pre-validation in ref-fvm's order,
 * nonce and gas reservation, execution in a transaction, then gas settlement (base-fee burn to
 * f099, tip to f02, over-estimation burn, refund). Signatures are not checked here (nodes check
 * them before inclusion); the devnet checks them before calling this.
 *
 * @throws {@link MachineError} for messages a node would never feed the VM (gas limit ≤ 0, too large).
 */
export function applyMessage(machine: Machine, msg: Message, opts: ApplyMessageOptions = {}): ApplyResult {
  checkMessage(msg);
  enter(machine);
  try {
    return applyExplicit(machine, msg, opts);
  } finally {
    machine.busy = false;
  }
}

function checkMessage(msg: Message): void {
  if (msg.gasLimit <= 0n || msg.gasLimit > MAX_GAS_LIMIT) {
    throw new MachineError('MESSAGE_INVALID', `gas limit ${msg.gasLimit} is out of range: use 1..${MAX_GAS_LIMIT}`);
  }
  if (msg.value < 0n || msg.gasFeeCap < 0n || msg.gasPremium < 0n) {
    throw new MachineError('MESSAGE_INVALID', 'value, gas fee cap and gas premium must not be negative');
  }
}

/** The message {@link applyMessageEstimated} applies, built once the estimate is known. */
export interface EstimatedMessage {
  readonly message: Message;
  /** Its signature (sets the on-chain length the inclusion gas is charged on). */
  readonly signature?: Signature;
}

/** What {@link applyMessageEstimated} did. */
export interface EstimatedApplyResult {
  /** The estimate: the gas the dry run used (0 when it failed pre-validation). */
  readonly estimate: bigint;
  /** The message applied, as `finalize` built it. */
  readonly message: Message;
  /** The result of applying it: the same as {@link applyMessage} gives. */
  readonly result: ApplyResult;
  /** Whether the message ran a second time (the dry run's execution could not be kept). */
  readonly reran: boolean;
}

/**
 * Estimates a message's gas with a dry run, then applies the message `finalize` builds from the
 * estimate, running it only once where that gives the same outcome.
 *
 * The result and the state afterwards are those of
 * `estimate = machine.simulate(() => applyMessage(machine, probe)).gasUsed` followed by
 * `applyMessage(machine, finalize(estimate).message, { signature })`. The dry run's execution is
 * kept, and only its inclusion charge and gas settlement are redone, when the final message is the
 * same call (from, to, nonce, value, method, params) and nothing the two runs see differently could
 * have changed it: the execution did not read the gas left, the gas premium or the sender's
 * balance, called no method mock and did not run out of gas; the final message passes
 * pre-validation and its value transfer, and its gas used (the dry run's, with the final message's
 * inclusion charge) fits its limit. Otherwise the dry run is undone and the final message runs
 * afresh (`reran`). The machine's circulating-supply function must not depend on the sender's
 * balance (the gas reservation moves it; the devnet's does not read it).
 *
 * @param probe the dry-run message; usually gas fee cap and premium 0 and a generous gas limit.
 * @param finalize builds the message to apply from the estimate; it may throw, leaving state as before.
 * @throws {@link MachineError} as {@link applyMessage}, for either message.
 */
export function applyMessageEstimated(machine: Machine, probe: Message, finalize: (estimate: bigint) => EstimatedMessage): EstimatedApplyResult {
  checkMessage(probe);
  enter(machine);
  const tree = machine.tree;
  tree.checkpoint();
  let open = true;
  try {
    const info: RunInfo = { executed: false, sensitive: false, outOfGas: false, usedMilligas: 0, inclusionMilligas: 0, senderId: 0n, balanceBefore: 0n };
    const dry = applyExplicit(machine, probe, {}, info);
    const final = finalize(dry.gasUsed);
    const msg = final.message;
    checkMessage(msg);
    const kept = info.executed && !info.sensitive && !info.outOfGas && sameCall(probe, msg) ? resettle(machine, probe, dry, info, msg, final.signature) : undefined;
    open = false;
    if (kept !== undefined) {
      tree.commit();
      return { estimate: dry.gasUsed, message: msg, result: kept, reran: false };
    }
    tree.revert();
    return { estimate: dry.gasUsed, message: msg, result: applyExplicit(machine, msg, { signature: final.signature }), reran: true };
  } finally {
    if (open) tree.revert();
    machine.busy = false;
  }
}

function sameCall(a: Message, b: Message): boolean {
  if (!a.from.equals(b.from) || !a.to.equals(b.to) || a.nonce !== b.nonce || a.value !== b.value || a.method !== b.method) return false;
  const p = a.params ?? null;
  const q = b.params ?? null;
  if (p === q) return true;
  if (p === null || q === null || p.length !== q.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return false;
  return true;
}

/**
 * Turns the kept dry run into `msg`'s run, or returns undefined when the two would differ: swaps
 * the inclusion charge, checks the pre-validation and value transfer `msg` would face, and
 * replaces the dry run's gas reservation and settlement with `msg`'s.
 */
function resettle(machine: Machine, probe: Message, dry: ApplyResult, info: RunInfo, msg: Message, signature: Signature | undefined): ApplyResult | undefined {
  const prices = machine.priceList;
  const baseFee = machine.baseFee;
  const inclusion = onChainMessageCharge(prices, chainLength(msg, signature));
  const reserved = msg.gasFeeCap * msg.gasLimit;
  const oldReserved = probe.gasFeeCap * probe.gasLimit;
  const before = info.balanceBefore;
  if (before < reserved) return undefined; // msg cannot cover its gas
  // The value moves after the reservation: the two transfers must both succeed or both fail.
  if (msg.value > 0n && before - oldReserved >= msg.value !== before - reserved >= msg.value) return undefined;
  const used = info.usedMilligas - info.inclusionMilligas + inclusion;
  // msg would run out of gas (or fail its inclusion check, which charges less than this).
  if (used > Number(msg.gasLimit) * 1000) return undefined;
  const gasUsed = toGas(used);
  const old = computeGasOutputs(dry.gasUsed, probe.gasLimit, baseFee, probe.gasFeeCap, probe.gasPremium);
  const outputs = computeGasOutputs(gasUsed, msg.gasLimit, baseFee, msg.gasFeeCap, msg.gasPremium);
  credit(machine, BURNT_FUNDS_ACTOR_ID, outputs.baseFeeBurn + outputs.overEstimationBurn - old.baseFeeBurn - old.overEstimationBurn);
  credit(machine, REWARD_ACTOR_ID, outputs.minerTip - old.minerTip);
  credit(machine, info.senderId, oldReserved - reserved + outputs.refund - old.refund);
  return { ...dry, gasUsed, gasOutputs: outputs };
}

/** What {@link applyExplicit} reports about a run, for {@link applyMessageEstimated}. */
interface RunInfo {
  /** Passed pre-validation and ran. */
  executed: boolean;
  /** See {@link CallManager.estimateSensitive}. */
  sensitive: boolean;
  outOfGas: boolean;
  usedMilligas: number;
  inclusionMilligas: number;
  senderId: bigint;
  /** The sender's balance before the gas reservation. */
  balanceBefore: bigint;
}

function enter(machine: Machine): void {
  if (machine.busy) throw new MachineError('MACHINE_BUSY', 'a message is already executing on this machine; actors must use rt.send');
  if (machine.tree.depth !== machine.baseDepth) throw new MachineError('MACHINE_BUSY', 'the state tree has an open checkpoint; commit or revert it before applying messages');
  machine.busy = true;
}

function applyExplicit(machine: Machine, msg: Message, opts: ApplyMessageOptions, info?: RunInfo): ApplyResult {
  const prices = machine.priceList;
  const baseFee = machine.baseFee;
  const tree = machine.tree;
  // 1. Inclusion cost.
  const inclusion = onChainMessageCharge(prices, chainLength(msg, opts.signature));
  const inclusionGas = toGas(inclusion);
  if (inclusionGas > msg.gasLimit) {
    return preValidationFailure(ExitCode.SYS_OUT_OF_GAS, baseFee * inclusionGas, `out of gas: inclusion costs ${inclusionGas} gas, limit ${msg.gasLimit}`);
  }
  const penalty = baseFee * msg.gasLimit;
  // 2–3. Sender lookup.
  const senderId = tree.lookupId(msg.from);
  const sender = senderId === undefined ? undefined : tree.getActor(senderId);
  if (senderId === undefined || sender === undefined) {
    return preValidationFailure(ExitCode.SYS_SENDER_INVALID, penalty, `sender ${msg.from.toString()} does not exist`);
  }
  // 4. Sender kind: Account, EthAccount, or a Placeholder about to become an EthAccount (FIP-0055).
  const kind = machine.registry.builtinType(sender.code);
  let code = sender.code;
  if (kind === 'placeholder' && sender.sequence === 0n && sender.delegatedAddress?.namespace === 10n) {
    code = machine.registry.builtinCode('ethaccount');
  } else if (kind !== 'account' && kind !== 'ethaccount') {
    return preValidationFailure(ExitCode.SYS_SENDER_INVALID, penalty, `sender ${msg.from.toString()} is a ${kind ?? 'user'} actor and cannot send messages`);
  }
  // 5. Nonce.
  if (msg.nonce !== sender.sequence) {
    return preValidationFailure(ExitCode.SYS_SENDER_STATE_INVALID, penalty, `nonce ${msg.nonce} does not match the sender's ${sender.sequence}`);
  }
  // 6. Gas funds (the value is checked later, at transfer).
  const reserved = msg.gasFeeCap * msg.gasLimit;
  if (sender.balance < reserved) {
    return preValidationFailure(ExitCode.SYS_SENDER_STATE_INVALID, penalty, `balance ${sender.balance} cannot cover gas fee cap × gas limit = ${reserved}`);
  }
  tree.setActor(senderId, { ...sender, code, sequence: sender.sequence + 1n, balance: sender.balance - reserved });

  const effectivePremium = maxBig(0n, minBig(msg.gasPremium, msg.gasFeeCap - baseFee));
  const cm = new CallManager(machine, Number(msg.gasLimit) * 1000, { id: senderId, address: msg.from, nonce: msg.nonce, gasPremium: effectivePremium });
  const toId = tree.lookupId(msg.to);
  if (toId !== undefined) cm.preloadRead(toId);
  let exitCode: number = ExitCode.OK;
  let returnData: Uint8Array | null = null;
  let failureInfo: string | undefined;
  let outOfGas = false;
  try {
    cm.charge(inclusion);
    const res = cm.send(senderId, msg.to, msg.method, msg.params ?? null, msg.value);
    exitCode = res.exitCode;
    returnData = res.returnData;
    if (exitCode === ExitCode.OK && returnData !== null) cm.charge(prices.onChainReturnValuePerByte * returnData.length);
    failureInfo = cm.topFrame?.error;
  } catch (e) {
    if (!(e instanceof OutOfGas)) throw e;
    outOfGas = true;
    exitCode = ExitCode.SYS_OUT_OF_GAS;
    returnData = null;
    failureInfo = 'out of gas';
  }
  const gasUsed = outOfGas ? msg.gasLimit : minBig(toGas(cm.tracker.usedMilligas), msg.gasLimit);
  if (info !== undefined) {
    info.executed = true;
    info.sensitive = cm.estimateSensitive;
    info.outOfGas = outOfGas;
    info.usedMilligas = cm.tracker.usedMilligas;
    info.inclusionMilligas = inclusion;
    info.senderId = senderId;
    info.balanceBefore = sender.balance;
  }
  const outputs = computeGasOutputs(gasUsed, msg.gasLimit, baseFee, msg.gasFeeCap, msg.gasPremium);
  // Settlement: base-fee burn → f099, tip → f02, over-estimation burn → f099, refund → sender.
  credit(machine, BURNT_FUNDS_ACTOR_ID, outputs.baseFeeBurn);
  credit(machine, REWARD_ACTOR_ID, outputs.minerTip);
  credit(machine, BURNT_FUNDS_ACTOR_ID, outputs.overEstimationBurn);
  credit(machine, senderId, outputs.refund);
  const events = exitCode === ExitCode.OK ? cm.events : [];
  return {
    exitCode,
    returnData: exitCode === ExitCode.OK ? returnData : null,
    gasUsed,
    eventsRoot: eventsRootOf(events),
    gasOutputs: { ...outputs, minerPenalty: outputs.minerPenalty },
    events,
    trace: cm.topFrame,
    ...(failureInfo !== undefined ? { failureInfo } : {}),
  };
}

function credit(machine: Machine, id: bigint, amount: bigint): void {
  if (amount === 0n) return;
  const a = machine.tree.getActor(id);
  if (a === undefined) throw new MachineError('STATE_INVALID', `actor f0${id} is missing: genesis must create the reward (f02) and burnt-funds (f099) actors`);
  machine.tree.setActor(id, { ...a, balance: a.balance + amount });
}

/** An implicit (system) message: cron ticks, block rewards. */
export interface ImplicitMessage {
  readonly from: Address;
  readonly to: Address;
  readonly method: number;
  readonly params?: Uint8Array | null;
  readonly value?: bigint;
  /** Default {@link IMPLICIT_GAS_LIMIT}. */
  readonly gasLimit?: bigint;
}

/**
 * Applies an implicit message (ref-fvm `ApplyKind::Implicit`): no inclusion charge, no sender-kind,
 * nonce or balance checks, no fees. The sender must still resolve (SYS_SENDER_INVALID otherwise).
 */
export function applyImplicitMessage(machine: Machine, msg: ImplicitMessage): ApplyResult {
  enter(machine);
  try {
    const senderId = machine.tree.lookupId(msg.from);
    if (senderId === undefined || machine.tree.getActor(senderId) === undefined) {
      return preValidationFailure(ExitCode.SYS_SENDER_INVALID, 0n, `sender ${msg.from.toString()} does not exist`);
    }
    const limit = msg.gasLimit ?? IMPLICIT_GAS_LIMIT;
    const cm = new CallManager(machine, Number(limit) * 1000, { id: senderId, address: msg.from, nonce: machine.epoch, gasPremium: 0n });
    let exitCode: number;
    let returnData: Uint8Array | null;
    let failureInfo: string | undefined;
    try {
      const res = cm.send(senderId, msg.to, msg.method, msg.params ?? null, msg.value ?? 0n);
      exitCode = res.exitCode;
      returnData = res.returnData;
      failureInfo = cm.topFrame?.error;
    } catch (e) {
      if (!(e instanceof OutOfGas)) throw e;
      exitCode = ExitCode.SYS_OUT_OF_GAS;
      returnData = null;
      failureInfo = 'out of gas';
    }
    const events = exitCode === ExitCode.OK ? cm.events : [];
    return {
      exitCode,
      returnData,
      gasUsed: minBig(toGas(cm.tracker.usedMilligas), limit),
      eventsRoot: eventsRootOf(events),
      gasOutputs: zeroGasOutputs(),
      events,
      trace: cm.topFrame,
      ...(failureInfo !== undefined ? { failureInfo } : {}),
    };
  } finally {
    machine.busy = false;
  }
}

/**
 * The events root of a receipt: an AMT (bit width 5) of `[emitter, [[flags, key, codec, value]…]]`
 * tuples. As ref-fvm, the root is computed without keeping the AMT in the chain store.
 */
export function eventsRootOf(events: readonly StampedEvent[]): CID | null {
  if (events.length === 0) return null;
  const amt = Amt.empty<unknown>(new MemoryBlockstore(), EVENTS_AMT_BITWIDTH);
  events.forEach((ev, i) => {
    amt.set(BigInt(i), [Number(ev.emitter), ev.entries.map((e) => [e.flags, e.key, e.codec, e.value])]);
  });
  return amt.flush();
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
