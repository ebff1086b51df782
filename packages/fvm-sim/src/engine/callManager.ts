import { equals } from 'multiformats/bytes';
import type { CID } from 'multiformats/cid';
import type { Blockstore } from '../ipld/blockstore.js';
import { encodeCbor } from '../ipld/cbor.js';
import { blake2b256, deferredCborCid, pendingBlock } from '../ipld/cid.js';
import { type Codec, CodecError } from '../ipld/codec.js';
import { encodeDirect, storedBytes } from '../ipld/fastCbor.js';
import { GasTracker, OutOfGas } from '../gas/tracker.js';
import type { PriceList } from '../gas/priceList.js';
import { Address } from '../primitives/address.js';
import { ExitCode } from '../primitives/exitCode.js';
import { type Signature, SignatureType, verifySignature as verifyRealSignature } from '../primitives/signature.js';
import { ActorError } from '../runtime/actorError.js';
import type { EventEntry, MessageInfo, NetworkInfo, Runtime, SendErrorKind, SendOptions, SendResult, StampedEvent } from '../runtime/runtime.js';
import type { ActorState } from '../state/actorState.js';
import { StateTree } from '../state/stateTree.js';
import type { TraceFrame } from '../trace/trace.js';
import { concat, drawRandomness, mockSignature, u64BE } from './crypto.js';
import { BURNT_FUNDS_ACTOR_ID, type Machine, SYSTEM_ACTOR_ID } from './machine.js';
import { decodeThrough } from './stateCache.js';

/** Actors whose records every message may touch for free (FIP-0055 preloads). */
const PRELOADED = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 10n, 99n];
const EMPTY_ARRAY_CID = StateTree.emptyArrayCid();
/** Delegated-address namespace of the Ethereum Address Manager. */
const EAM_NAMESPACE = 10n;
const MAX_EVENT_ENTRIES = 255;
const MAX_EVENT_VALUES_BYTES = 8192;
const MAX_EVENT_KEY_BYTES = 31;
const UTF8 = new TextEncoder();

/** The exit code a top-level message gets for a send that failed as a syscall (ref-fvm executor). */
export function sendErrorExitCode(kind: SendErrorKind): number {
  if (kind === 'NotFound') return ExitCode.SYS_INVALID_RECEIVER;
  if (kind === 'InsufficientFunds') return ExitCode.SYS_INSUFFICIENT_FUNDS;
  return ExitCode.SYS_ASSERTION_FAILED;
}

function sendFailure(kind: SendErrorKind): SendResult {
  return { exitCode: sendErrorExitCode(kind), returnData: null, sendError: kind };
}

/**
 * Executes one message's calls: call stack, depth limit, value transfer, actor auto-creation,
 * transactions (every send is one), gas, events and the trace (ref-fvm `DefaultCallManager`).
 */
export class CallManager {
  readonly tracker: GasTracker;
  readonly prices: PriceList;
  readonly events: StampedEvent[] = [];
  private depth = 0;
  private actorsCreated = 0n;
  private readonly read = new Set<bigint>();
  private readonly written = new Set<bigint>(PRELOADED);
  /** Synthetic root frame whose single subcall is the message's top-level call. */
  readonly rootFrame: TraceFrame;
  private frameStack: TraceFrame[];
  readonly meteredStore: MeteredBlockstore;
  /**
   * Whether this execution may differ between a gas-estimation dry run and the message it
   * estimates: an actor read the gas left, the gas premium or the origin's balance, or a method
   * mock answered (mocks may keep state). See `applyMessageEstimated`.
   */
  estimateSensitive = false;

  constructor(
    readonly machine: Machine,
    gasLimitMilligas: number,
    readonly origin: { id: bigint; address: Address; nonce: bigint; gasPremium: bigint },
  ) {
    this.tracker = new GasTracker(gasLimitMilligas);
    this.prices = machine.priceList;
    this.written.add(origin.id);
    this.rootFrame = newFrame(origin.id, Address.newId(origin.id), 0, 0n, null, false);
    this.frameStack = [this.rootFrame];
    this.meteredStore = new MeteredBlockstore(machine.store, this);
  }

  /** Charges gas (milligas). */
  charge(milligas: number): void {
    this.tracker.charge(milligas);
  }

  /** First read of a record in this message costs an actor lookup. */
  touchRead(id: bigint): void {
    if (this.read.has(id) || this.written.has(id)) return;
    this.charge(this.prices.actorLookup);
    this.read.add(id);
  }

  /** First write of a record in this message costs an actor update. */
  touchWrite(id: bigint): void {
    if (this.written.has(id)) return;
    this.charge(this.prices.actorUpdate);
    this.written.add(id);
  }

  /** Marks the receiver as read for free (ref-fvm pre-resolves it). */
  preloadRead(id: bigint): void {
    this.read.add(id);
  }

  /** The top-level call's frame, once made. */
  get topFrame(): TraceFrame | undefined {
    return this.rootFrame.subcalls[0];
  }

  /**
   * Sends `method` to `to` from actor `fromId` inside a transaction: resolves (or auto-creates)
   * the receiver, transfers the value, invokes the code and reverts everything on failure.
   */
  send(fromId: bigint, to: Address, method: number, params: Uint8Array | null, value: bigint, opts: SendOptions = {}, parentReadOnly = false): SendResult {
    const readOnly = parentReadOnly || opts.readOnly === true;
    const parent = this.frameStack[this.frameStack.length - 1]!;
    const frame = newFrame(fromId, to, method, value, params, readOnly);
    if (this.machine.traces || this.depth === 0) parent.subcalls.push(frame);
    if (this.depth >= this.machine.maxCallDepth) {
      frame.error = 'call depth limit exceeded';
      frame.exitCode = ExitCode.SYS_ASSERTION_FAILED;
      return sendFailure('LimitExceeded');
    }
    const startGas = this.tracker.usedMilligas;
    let pushedLevel = -1;
    if (opts.gasLimit !== undefined) {
      this.tracker.pushLimit(Number(opts.gasLimit) * 1000);
      pushedLevel = this.tracker.limitDepth - 1;
    }
    const tree = this.machine.tree;
    tree.checkpoint();
    const eventMark = this.events.length;
    this.frameStack.push(frame);
    let result: SendResult;
    try {
      result = this.sendInTransaction(fromId, to, method, params, value, readOnly, frame);
    } catch (e) {
      if (e instanceof OutOfGas && e.level === pushedLevel) {
        result = { exitCode: ExitCode.SYS_OUT_OF_GAS, returnData: null };
        frame.error = 'out of gas (send gas limit)';
      } else {
        tree.revert();
        this.events.length = eventMark;
        this.frameStack.pop();
        if (pushedLevel >= 0) this.tracker.popLimit();
        frame.exitCode = e instanceof OutOfGas ? ExitCode.SYS_OUT_OF_GAS : ExitCode.SYS_ASSERTION_FAILED;
        frame.error = e instanceof OutOfGas ? 'out of gas' : String((e as Error)?.message ?? e);
        frame.gasUsedMilligas = this.tracker.usedMilligas - startGas;
        frame.events = [];
        throw e;
      }
    }
    this.frameStack.pop();
    if (pushedLevel >= 0) this.tracker.popLimit();
    if (result.exitCode === ExitCode.OK) tree.commit();
    else {
      tree.revert();
      this.events.length = eventMark;
      frame.events = [];
    }
    frame.exitCode = result.exitCode;
    frame.returnData = result.returnData;
    frame.gasUsedMilligas = this.tracker.usedMilligas - startGas;
    if (result.sendError && frame.error === undefined) frame.error = result.sendError;
    return result;
  }

  private sendInTransaction(fromId: bigint, to: Address, method: number, params: Uint8Array | null, value: bigint, readOnly: boolean, frame: TraceFrame): SendResult {
    const tree = this.machine.tree;
    let toId = tree.lookupId(to);
    if (toId === undefined || tree.getActor(toId) === undefined) {
      if (to.protocol === 0) return sendFailure('NotFound');
      if (readOnly) return sendFailure('ReadOnly');
      const created = this.autoCreate(to);
      if (typeof created === 'string') return sendFailure(created);
      toId = created;
    }
    frame.toId = toId;
    if (value !== 0n) {
      if (value < 0n) return sendFailure('IllegalArgument');
      if (readOnly) return sendFailure('ReadOnly');
      this.charge(this.prices.valueTransfer);
      const err = this.transfer(fromId, toId, value);
      if (err) return sendFailure(err);
    }
    const actor = tree.getActor(toId)!;
    frame.code = actor.code;
    if (method === 0) return { exitCode: ExitCode.OK, returnData: null };
    this.charge(this.prices.methodInvocation);
    const mock = this.machine.methodMocks.get(toId)?.get(method);
    if (mock !== undefined) {
      this.estimateSensitive = true;
      const answer = mock({ from: fromId, to: toId, method, params, value });
      frame.error = frame.error ?? 'mocked';
      return { exitCode: answer.exitCode ?? ExitCode.OK, returnData: answer.returnData ?? null };
    }
    const reg = this.machine.registry.byCode(actor.code);
    if (reg === undefined) {
      frame.error = `no actor code registered for ${actor.code.toString()}`;
      return { exitCode: ExitCode.SYS_INVALID_RECEIVER, returnData: null };
    }
    const kernel = new Kernel(this, fromId, toId, method, value, readOnly);
    this.depth++;
    try {
      const ret = reg.actor.invoke(kernel, method, params);
      return { exitCode: ExitCode.OK, returnData: ret };
    } catch (e) {
      if (e instanceof OutOfGas) throw e;
      if (e instanceof ActorError) {
        frame.error = e.message;
        // An actor may not exit with a system code (ref-fvm: SYS_ILLEGAL_EXIT_CODE).
        const code = e.exitCode > 0 && e.exitCode < 16 ? ExitCode.SYS_ILLEGAL_EXIT_CODE : e.exitCode;
        return { exitCode: code, returnData: e.data };
      }
      // Any other exception is a panic of the actor: builtin-actors abort with USR_ASSERTION_FAILED.
      frame.error = `actor panicked: ${(e as Error)?.stack ?? String(e)}`;
      return { exitCode: ExitCode.USR_ASSERTION_FAILED, returnData: null };
    } finally {
      this.depth--;
    }
  }

  /** Creates the actor behind an unassigned f1/f3 (account) or f4/EAM (placeholder) address. */
  private autoCreate(to: Address): bigint | SendErrorKind {
    const reg = this.machine.registry;
    if (to.protocol === 1 || to.protocol === 3) {
      // The BLS "zero address" (0xc0 then zeroes) is refused (ref-fvm).
      if (to.protocol === 3 && to.payload[0] === 0xc0 && to.payload.subarray(1).every((b) => b === 0)) return 'IllegalArgument';
      const id = this.createAndAssign(to, reg.builtinCode('account'), null);
      // Run the account constructor from the system actor; its exit code is not checked (ref-fvm).
      this.send(SYSTEM_ACTOR_ID, Address.newId(id), 1, encodeCbor(to.bytes), 0n);
      return id;
    }
    if (to.protocol === 4 && to.namespace === EAM_NAMESPACE) {
      return this.createAndAssign(to, reg.builtinCode('placeholder'), to);
    }
    return 'NotFound';
  }

  private createAndAssign(addr: Address, code: CID, delegated: Address | null): bigint {
    const p = this.prices;
    this.charge(p.actorCreateStorage + p.addressAssignment + p.addressLookup);
    const id = this.machine.tree.registerNewAddress(addr);
    this.touchWrite(id);
    this.machine.tree.setActor(id, { code, head: EMPTY_ARRAY_CID, sequence: 0n, balance: 0n, delegatedAddress: delegated });
    return id;
  }

  /** Moves `value` between actors; returns a syscall error kind on failure. */
  transfer(fromId: bigint, toId: bigint, value: bigint): SendErrorKind | undefined {
    const tree = this.machine.tree;
    // Only the top-level call moves the origin's funds in a dry run and its message alike.
    if (fromId === this.origin.id && this.depth > 0) this.estimateSensitive = true;
    this.touchWrite(fromId);
    const from = tree.getActor(fromId);
    if (from === undefined) return 'InsufficientFunds';
    if (from.balance < value) return 'InsufficientFunds';
    this.touchWrite(toId);
    const to = tree.getActor(toId);
    if (to === undefined) return 'NotFound';
    if (fromId === toId) return undefined;
    tree.setActor(fromId, { ...from, balance: from.balance - value });
    tree.setActor(toId, { ...to, balance: to.balance + value });
    return undefined;
  }

  /** The f2 address of the next actor this message creates (ref-fvm `next_actor_address`). */
  nextActorAddress(): Address {
    const data = concat([encodeCbor(this.origin.address.bytes), u64BE(this.origin.nonce), u64BE(this.actorsCreated)]);
    this.actorsCreated++;
    return Address.newActor(data);
  }

  /** Records an event for the current frame. */
  emit(ev: StampedEvent): void {
    this.events.push(ev);
    const frame = this.frameStack[this.frameStack.length - 1]!;
    frame.events.push(ev);
  }

  get callDepth(): number {
    return this.depth;
  }
}

function newFrame(from: bigint, to: Address, method: number, value: bigint, params: Uint8Array | null, readOnly: boolean): TraceFrame {
  return { from, to, toId: undefined, code: undefined, method, value, params, readOnly, exitCode: 0, returnData: null, gasUsedMilligas: 0, events: [], subcalls: [] };
}

/** A blockstore that charges gas for every block an actor opens or creates (ref-fvm IPLD syscalls). */
class MeteredBlockstore implements Blockstore {
  constructor(private readonly inner: Blockstore, private readonly cm: CallManager) {}

  get(cid: CID): Uint8Array | undefined {
    const p = this.cm.prices;
    const bytes = pendingBlock(cid) ?? this.inner.get(cid);
    const size = bytes?.length ?? 0;
    this.cm.charge(p.blockOpenBase + p.blockOpenBaseStorage + Math.max(p.blockRetentionMinPerByte * size, p.blockOpenPerByte * size) + p.blockReadPerByte * size);
    return bytes;
  }

  put(cid: CID, bytes: Uint8Array): void {
    this.chargePut(bytes.length);
    this.inner.put(cid, bytes);
  }

  /** The gas of creating and linking a block of `size` bytes (ref-fvm block_create + block_link). */
  chargePut(size: number): void {
    const p = this.cm.prices;
    this.cm.charge(Math.max(p.blockRetentionMinPerByte * size, p.blockCreatePerByte * size) + p.blockLinkBase + p.blockLinkStorageBase + (p.blockLinkPerByte + p.blockLinkStoragePerByte) * size);
  }

  has(cid: CID): boolean {
    return this.inner.has(cid);
  }
}

/**
 * The {@link Runtime} one invocation sees: its message context plus the kernel operations,
 * each charged to the message's gas.
 */
/**
 * A call's {@link MessageInfo}. A class rather than an object literal with a getter: one is built
 * per call, and a literal's accessor costs a closure and a slow object each time.
 */
class CallMessage implements MessageInfo {
  readonly caller: Address;
  readonly receiver: Address;
  readonly origin: Address;
  readonly nonce: bigint;
  readonly #cm: CallManager;

  constructor(
    cm: CallManager,
    callerId: bigint,
    receiverId: bigint,
    readonly valueReceived: bigint,
    readonly methodNumber: number,
  ) {
    const origin = cm.origin;
    this.caller = Address.newId(callerId);
    this.receiver = Address.newId(receiverId);
    this.origin = Address.newId(origin.id);
    this.nonce = origin.nonce;
    this.#cm = cm;
  }

  get gasPremium(): bigint {
    // A gas estimate's dry run sees another premium than the message will (applyMessageEstimated).
    this.#cm.estimateSensitive = true;
    return this.#cm.origin.gasPremium;
  }
}

class Kernel implements Runtime {
  readonly message: MessageInfo;
  readonly network: NetworkInfo;
  private inTransaction = false;

  constructor(
    private readonly cm: CallManager,
    callerId: bigint,
    private readonly receiverId: bigint,
    method: number,
    value: bigint,
    readonly readOnly: boolean,
  ) {
    this.message = new CallMessage(cm, callerId, receiverId, value, method);
    this.network = cm.machine.network;
  }

  get curEpoch(): bigint {
    return this.network.epoch;
  }

  get store(): Blockstore {
    return this.cm.meteredStore;
  }

  private get tree(): StateTree {
    return this.cm.machine.tree;
  }

  validateImmediateCallerAcceptAny(): void {}

  validateImmediateCallerIs(addresses: Iterable<Address>): void {
    const caller = this.message.caller;
    for (const a of addresses) {
      if (a.equals(caller)) return;
      if (a.protocol !== 0 && this.tree.lookupId(a) === caller.id) return;
    }
    throw new ActorError(ExitCode.USR_FORBIDDEN, `caller ${caller.toString()} is not one of the allowed callers`);
  }

  validateImmediateCallerType(types: Iterable<string>): void {
    const code = this.getActorCodeCid(this.message.caller.id);
    const type = code === undefined ? undefined : this.resolveBuiltinActorType(code);
    for (const t of types) if (t === type) return;
    throw new ActorError(ExitCode.USR_FORBIDDEN, `caller ${this.message.caller.toString()} of type ${type ?? 'non-builtin'} is not of an allowed type (${[...types].join(', ')})`);
  }

  currentBalance(): bigint {
    if (this.receiverId === this.cm.origin.id) this.cm.estimateSensitive = true;
    return this.tree.getActor(this.receiverId)?.balance ?? 0n;
  }

  balanceOf(id: bigint): bigint | undefined {
    if (id === this.cm.origin.id) this.cm.estimateSensitive = true;
    this.cm.touchRead(id);
    return this.tree.getActor(id)?.balance;
  }

  resolveAddress(address: Address): bigint | undefined {
    const id = this.tree.lookupId(address);
    if (id === undefined) return undefined;
    return address.protocol === 0 || this.tree.getActor(id) !== undefined ? id : undefined;
  }

  lookupDelegatedAddress(id: bigint): Address | undefined {
    this.cm.touchRead(id);
    return this.tree.getActor(id)?.delegatedAddress ?? undefined;
  }

  getActorCodeCid(id: bigint): CID | undefined {
    this.cm.touchRead(id);
    return this.tree.getActor(id)?.code;
  }

  resolveBuiltinActorType(code: CID): string | undefined {
    return this.cm.machine.registry.builtinType(code);
  }

  getCodeCidForType(type: string): CID {
    return this.cm.machine.registry.builtinCode(type);
  }

  send(to: Address, method: number, params: Uint8Array | null, value: bigint, options?: SendOptions): SendResult {
    if (this.inTransaction) throw new ActorError(ExitCode.USR_ASSERTION_FAILED, 'send is not allowed inside a state transaction');
    this.cm.charge(this.cm.prices.syscall);
    return this.cm.send(this.receiverId, to, method, params, value, options, this.readOnly);
  }

  newActorAddress(): Address {
    return this.cm.nextActorAddress();
  }

  createActor(code: CID, id: bigint, delegatedAddress: Address | null = null): void {
    const callerType = this.resolveBuiltinActorType(this.tree.getActor(this.receiverId)!.code);
    if (callerType !== 'init' && callerType !== 'eam') throw new ActorError(ExitCode.USR_FORBIDDEN, 'only the Init and EAM actors may create actors');
    if (this.readOnly) throw new ActorError(ExitCode.USR_READ_ONLY, 'cannot create actors in read-only mode');
    if (this.tree.getActor(id) !== undefined) throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, `actor ${id} already exists`);
    // Only installed code can be instantiated (ref-fvm loads the code before creating the actor).
    if (this.cm.machine.registry.byCode(code) === undefined) throw new ActorError(ExitCode.USR_FORBIDDEN, `no actor code ${code.toString()} is installed: install it first (devnet.installActor)`);
    this.cm.charge(this.cm.prices.actorCreateStorage);
    this.cm.touchWrite(id);
    this.tree.setActor(id, { code, head: EMPTY_ARRAY_CID, sequence: 0n, balance: 0n, delegatedAddress });
  }

  deleteActor(burnUnspent: boolean): void {
    if (this.readOnly) throw new ActorError(ExitCode.USR_READ_ONLY, 'cannot delete actors in read-only mode');
    const me = this.tree.getActor(this.receiverId)!;
    if (me.balance > 0n) {
      if (!burnUnspent) throw new ActorError(ExitCode.USR_ILLEGAL_STATE, 'cannot delete an actor with a non-zero balance without burning it');
      this.cm.transfer(this.receiverId, BURNT_FUNDS_ACTOR_ID, me.balance);
    }
    this.tree.deleteActor(this.receiverId);
  }

  private readRecord(): ActorState {
    const rec = this.tree.getActor(this.receiverId);
    if (rec === undefined) throw new ActorError(ExitCode.USR_ILLEGAL_STATE, 'actor was deleted');
    return rec;
  }

  private decodeState<S>(codec: Codec<S>, head: CID): S {
    const bytes = this.store.get(head);
    if (bytes === undefined) throw new ActorError(ExitCode.USR_ILLEGAL_STATE, `state block ${head.toString()} is missing`);
    try {
      // The block was read (and its gas charged) above; the decoding may be skipped.
      return decodeThrough(this.cm.machine.stateCache, codec, bytes);
    } catch (e) {
      if (e instanceof CodecError) throw new ActorError(ExitCode.USR_ILLEGAL_STATE, `state does not decode as ${codec.name}: ${e.message}`);
      throw e;
    }
  }

  private writeState<S>(codec: Codec<S>, state: S): void {
    if (this.readOnly) throw new ActorError(ExitCode.USR_READ_ONLY, 'cannot change state in read-only mode');
    // Pooled (see encodeDirect): most states are overwritten before anyone hashes them.
    const write = codec.writeCbor;
    const bytes = (write !== undefined ? encodeDirect(write, state, 'pooled') : undefined) ?? encodeCbor(codec.toCbor(state));
    // The put is charged now, by size, as ref-fvm charges it; the hash waits until someone needs
    // the head's CID (a flush, a parent block, a caller comparing heads), and the block is stored
    // then, copied out of the pool slab into a store slab (see storedBytes).
    this.cm.meteredStore.chargePut(bytes.length);
    const inner = this.cm.machine.store;
    const cid = deferredCborCid(bytes, (c) => inner.put(c, storedBytes(bytes)));
    if (codec.clone !== undefined) {
      let kept: S | undefined;
      try {
        kept = codec.clone(state);
      } catch {
        // A state its codec would not decode again (a refine check) or a mistyped one: not kept,
        // so the next read decodes the block (and fails where decoding fails).
      }
      if (kept !== undefined) this.cm.machine.stateCache.set(bytes, codec, kept);
    }
    const rec = this.readRecord();
    this.cm.touchWrite(this.receiverId);
    this.tree.setActor(this.receiverId, { ...rec, head: cid });
  }

  state<S>(codec: Codec<S>): S {
    return this.decodeState(codec, this.readRecord().head);
  }

  createState<S>(codec: Codec<S>, state: S): void {
    if (!this.readRecord().head.equals(EMPTY_ARRAY_CID)) throw new ActorError(ExitCode.USR_ILLEGAL_STATE, 'state already constructed');
    this.writeState(codec, state);
  }

  transaction<S, R>(codec: Codec<S>, fn: (state: S) => R): R {
    if (this.inTransaction) throw new ActorError(ExitCode.USR_ASSERTION_FAILED, 'nested transaction');
    const st = this.state(codec);
    this.inTransaction = true;
    let r: R;
    try {
      r = fn(st);
    } finally {
      this.inTransaction = false;
    }
    this.writeState(codec, st);
    return r;
  }

  getStateRoot(): CID {
    return this.readRecord().head;
  }

  private randomness(kind: 'chain' | 'beacon', tag: number, epoch: bigint, entropy: Uint8Array): Uint8Array {
    const p = this.cm.prices;
    const lookback = this.curEpoch - epoch;
    if (lookback < 0n) throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, `randomness requested for future epoch ${epoch} (current ${this.curEpoch})`);
    this.cm.charge(p.randomnessBase + p.randomnessPerEpoch * Number(lookback > 1_000_000n ? 1_000_000n : lookback));
    return drawRandomness(this.cm.machine.randomnessBase(kind, epoch), tag, epoch, entropy);
  }

  getRandomnessFromTickets(tag: number, epoch: bigint, entropy: Uint8Array): Uint8Array {
    return this.randomness('chain', tag, epoch, entropy);
  }

  getRandomnessFromBeacon(tag: number, epoch: bigint, entropy: Uint8Array): Uint8Array {
    return this.randomness('beacon', tag, epoch, entropy);
  }

  emitEvent(entries: readonly EventEntry[]): void {
    const p = this.cm.prices;
    let keyBytes = 0;
    let valueBytes = 0;
    for (const e of entries) {
      keyBytes += UTF8.encode(e.key).length;
      valueBytes += e.value.length;
    }
    // FIP-0049 event charge (compute part; see ref-fvm price_list `on_actor_event`).
    const z = 12 + 9 * entries.length + keyBytes + valueBytes;
    this.cm.charge(p.eventBase + p.eventPerEntry * entries.length + p.eventKeyBase + p.eventPerKeyByte * keyBytes + 2 * 2400 * z + 10_000 * z + 2400 * z);
    if (this.readOnly) throw new ActorError(ExitCode.USR_READ_ONLY, 'cannot emit events in read-only mode');
    if (entries.length > MAX_EVENT_ENTRIES) throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, `event has ${entries.length} entries, more than ${MAX_EVENT_ENTRIES}`);
    if (valueBytes > MAX_EVENT_VALUES_BYTES) throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, `event values total ${valueBytes} bytes, more than ${MAX_EVENT_VALUES_BYTES}`);
    for (const e of entries) {
      if (UTF8.encode(e.key).length > MAX_EVENT_KEY_BYTES) throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, `event key '${e.key}' is longer than ${MAX_EVENT_KEY_BYTES} bytes`);
      if (e.codec !== 0x51 && e.codec !== 0x55) throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, `event codec 0x${e.codec.toString(16)} is not CBOR (0x51) or raw (0x55)`);
      if ((e.flags & ~0x03) !== 0) throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, `unknown event flags 0x${e.flags.toString(16)}`);
    }
    this.cm.emit({ emitter: this.receiverId, entries: [...entries] });
  }

  verifySignature(signature: Signature, signer: Address, plaintext: Uint8Array): boolean {
    const p = this.cm.prices;
    if (signature.type === SignatureType.BLS) this.cm.charge(p.sigBlsBase + p.sigBlsPerByte * plaintext.length);
    else this.cm.charge(p.sigSecp256k1Base + p.sigSecp256k1PerByte * plaintext.length);
    if (this.cm.machine.signatureMode === 'mock') {
      const want = mockSignature(signer, plaintext);
      return want.type === signature.type && equals(want.data, signature.data);
    }
    return verifyRealSignature(signature, signer, plaintext);
  }

  hashBlake2b(data: Uint8Array): Uint8Array {
    this.cm.charge(this.cm.prices.hashPerByte.blake2b256 * data.length);
    return blake2b256(data);
  }

  chargeGas(_name: string, milligas: number): void {
    this.cm.charge(milligas);
  }

  gasAvailable(): bigint {
    this.cm.estimateSensitive = true;
    return BigInt(Math.floor(this.cm.tracker.availableMilligas / 1000));
  }

  totalFilCircSupply(): bigint {
    return this.cm.machine.circulatingSupply();
  }

  abort(exitCode: number, message: string): never {
    throw new ActorError(exitCode, message);
  }
}

