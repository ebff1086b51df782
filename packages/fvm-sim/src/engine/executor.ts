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
  if (msg.gasLimit <= 0n || msg.gasLimit > MAX_GAS_LIMIT) {
    throw new MachineError('MESSAGE_INVALID', `gas limit ${msg.gasLimit} is out of range: use 1..${MAX_GAS_LIMIT}`);
  }
  if (msg.value < 0n || msg.gasFeeCap < 0n || msg.gasPremium < 0n) {
    throw new MachineError('MESSAGE_INVALID', 'value, gas fee cap and gas premium must not be negative');
  }
  enter(machine);
  try {
    return applyExplicit(machine, msg, opts);
  } finally {
    machine.busy = false;
  }
}

function enter(machine: Machine): void {
  if (machine.busy) throw new MachineError('MACHINE_BUSY', 'a message is already executing on this machine; actors must use rt.send');
  if (machine.tree.depth !== machine.baseDepth) throw new MachineError('MACHINE_BUSY', 'the state tree has an open checkpoint; commit or revert it before applying messages');
  machine.busy = true;
}

function applyExplicit(machine: Machine, msg: Message, opts: ApplyMessageOptions): ApplyResult {
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
