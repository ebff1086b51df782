import type { CID } from 'multiformats/cid';
import type { Blockstore } from '../ipld/blockstore.js';
import type { Codec } from '../ipld/codec.js';
import type { Address } from '../primitives/address.js';
import type { Signature } from '../primitives/signature.js';

/** The chain facts an actor can read (ref-fvm `NetworkContext`). */
export interface NetworkInfo {
  /** The epoch the message executes in. */
  readonly epoch: bigint;
  /** Network version (28 = actors v18). */
  readonly version: number;
  /** EIP-155 chain ID (314 mainnet, 314159 calibnet; devnets pick their own). */
  readonly chainId: bigint;
  /** Base fee in attoFIL per gas. */
  readonly baseFee: bigint;
  /** Unix time of the epoch, seconds. */
  readonly timestamp: bigint;
}

/** What the current call knows about its message (ref-fvm `MessageContext`). */
export interface MessageInfo {
  /** ID address of the immediate caller. */
  readonly caller: Address;
  /** ID address of the actor being called. */
  readonly receiver: Address;
  /** ID address of the account that signed the top-level message. */
  readonly origin: Address;
  /** Value (attoFIL) sent with this call. */
  readonly valueReceived: bigint;
  /** The method number being invoked. */
  readonly methodNumber: number;
  /** The top-level message's nonce. */
  readonly nonce: bigint;
  /** The effective gas premium of the top-level message. */
  readonly gasPremium: bigint;
}

/**
 * Why a send failed before the callee produced an exit code (ref-fvm syscall `ErrorNumber`s).
 * builtin-actors maps them: NotFound → USR_UNSPECIFIED, InsufficientFunds → USR_INSUFFICIENT_FUNDS,
 * LimitExceeded → USR_ASSERTION_FAILED, ReadOnly → USR_READ_ONLY.
 */
export type SendErrorKind = 'NotFound' | 'InsufficientFunds' | 'LimitExceeded' | 'ReadOnly' | 'IllegalArgument';

/** The outcome of {@link Runtime.send}. */
export interface SendResult {
  /** The callee's exit code (or the system code a top-level message would get for `sendError`). */
  readonly exitCode: number;
  /** The callee's return bytes (dag-cbor), or null. */
  readonly returnData: Uint8Array | null;
  /** Set when the send itself failed (no receiver, not enough funds, depth, read-only). */
  readonly sendError?: SendErrorKind;
}

/** Options of a send. */
export interface SendOptions {
  /** Gas the callee may use at most (its own out-of-gas returns SYS_OUT_OF_GAS to the caller). */
  readonly gasLimit?: bigint;
  /** Call in read-only mode: the callee cannot change state, send value or emit events. */
  readonly readOnly?: boolean;
}

/** One entry of an actor event (FIP-0049): `[flags, key, codec, value]`. */
export interface EventEntry {
  /** 0x01 index key, 0x02 index value, 0x03 both. */
  readonly flags: number;
  /** UTF-8 key of at most 31 bytes. */
  readonly key: string;
  /** 0x51 CBOR or 0x55 raw. */
  readonly codec: number;
  /** The encoded value. */
  readonly value: Uint8Array;
}

/** An event as the FVM stamps it: emitter ID + entries. */
export interface StampedEvent {
  readonly emitter: bigint;
  readonly entries: readonly EventEntry[];
}

/** Randomness domain-separation tags (builtin-actors `DomainSeparationTag`). */
export const DomainSeparationTag = {
  TicketProduction: 1,
  ElectionProofProduction: 2,
  WinningPoStChallengeSeed: 3,
  WindowedPoStChallengeSeed: 4,
  SealRandomness: 5,
  InteractiveSealChallengeSeed: 6,
  WindowPoStDeadlineAssignment: 7,
  MarketDealCronSeed: 8,
  PoStChainCommit: 9,
  EvmPrevRandao: 10,
} as const;

/**
 * The one interface every actor — built-in or user-written — codes against, modelled on
 * builtin-actors' `Runtime` trait. An actor never sees the engine: it gets a `Runtime` for each
 * call and reads the chain, checks its caller, changes its state and sends messages through it.
 *
 * Handler order, as in builtin-actors: check the caller, check the params, change state in one
 * {@link transaction}, then send.
 */
export interface Runtime {
  /** Chain facts: epoch, network version, chain ID, base fee. */
  readonly network: NetworkInfo;
  /** The current epoch (same as `network.epoch`). */
  readonly curEpoch: bigint;
  /** The call's message context. */
  readonly message: MessageInfo;
  /** Whether this call runs in read-only mode. */
  readonly readOnly: boolean;
  /** The blockstore, metered: reads and writes are charged gas. */
  readonly store: Blockstore;

  /** Accepts any caller (every method must validate its caller exactly once). */
  validateImmediateCallerAcceptAny(): void;
  /**
   * Accepts only the listed callers.
   *
   * @throws ActorError USR_FORBIDDEN otherwise.
   */
  validateImmediateCallerIs(addresses: Iterable<Address>): void;
  /**
   * Accepts only callers whose code is one of the built-in actor types named (e.g. `'account'`,
   * `'miner'`).
   *
   * @throws ActorError USR_FORBIDDEN otherwise.
   */
  validateImmediateCallerType(types: Iterable<string>): void;

  /** The receiver's balance (attoFIL), including the value received. */
  currentBalance(): bigint;
  /** Balance of any actor, or undefined when it does not exist. */
  balanceOf(id: bigint): bigint | undefined;
  /** Resolves an address to its actor ID, or undefined. */
  resolveAddress(address: Address): bigint | undefined;
  /** The f4 address an actor was created with, if any. */
  lookupDelegatedAddress(id: bigint): Address | undefined;
  /** An actor's code CID, or undefined. */
  getActorCodeCid(id: bigint): CID | undefined;
  /** The built-in type name (`'account'`, `'miner'`…) of a code CID, or undefined for user actors. */
  resolveBuiltinActorType(code: CID): string | undefined;
  /** The code CID of a built-in type name. */
  getCodeCidForType(type: string): CID;

  /**
   * Sends a message to another actor and waits for its result. State changes of a callee that
   * fails are reverted; the caller continues.
   */
  send(to: Address, method: number, params: Uint8Array | null, value: bigint, options?: SendOptions): SendResult;

  /** A fresh robust (f2) address for an actor created by this message (only the Init actor uses it). */
  newActorAddress(): Address;
  /** Creates an actor record at `id` with `code` (only the Init and EAM actors may). */
  createActor(code: CID, id: bigint, delegatedAddress?: Address | null): void;
  /** Deletes the receiver; its remaining balance is burnt when `burnUnspent`, else it must be zero. */
  deleteActor(burnUnspent: boolean): void;

  /**
   * Reads the receiver's state: a fresh copy the caller owns (changing it changes nothing until it
   * is written). With a codec that has `clone`, the copy comes from the states kept decoded by
   * block instead of a new decode; the block read is charged either way.
   */
  state<S>(codec: Codec<S>): S;
  /** Stores the receiver's initial state (from its constructor). */
  createState<S>(codec: Codec<S>, state: S): void;
  /**
   * Reads the receiver's state, lets `fn` change it, and writes it back. Sends are forbidden
   * inside; an abort inside leaves the state unchanged. The write is charged (by size) at once;
   * the new head's CID is computed when first needed (a flush, a parent block, a comparison), so a
   * state overwritten before anyone looks is never hashed.
   */
  transaction<S, R>(codec: Codec<S>, fn: (state: S) => R): R;
  /** The receiver's state root CID. */
  getStateRoot(): CID;

  /** 32 bytes of chain (ticket) randomness drawn for `tag` at `epoch` with `entropy`. */
  getRandomnessFromTickets(tag: number, epoch: bigint, entropy: Uint8Array): Uint8Array;
  /** 32 bytes of beacon (drand) randomness drawn for `tag` at `epoch` with `entropy`. */
  getRandomnessFromBeacon(tag: number, epoch: bigint, entropy: Uint8Array): Uint8Array;

  /** Emits an actor event (FIP-0049). */
  emitEvent(entries: readonly EventEntry[]): void;

  /** Verifies a signature over `plaintext` by `signer` (real or mock, per the machine's mode). */
  verifySignature(signature: Signature, signer: Address, plaintext: Uint8Array): boolean;
  /** blake2b-256, charged per byte. */
  hashBlake2b(data: Uint8Array): Uint8Array;
  /** Charges gas for work the actor does outside the kernel's own charges. */
  chargeGas(name: string, milligas: number): void;
  /** Gas still available to this call, in whole gas. */
  gasAvailable(): bigint;
  /** Total circulating FIL supply, as the node reports it. */
  totalFilCircSupply(): bigint;

  /**
   * Ends the call with `exitCode`.
   *
   * @throws always ({@link ActorError}).
   */
  abort(exitCode: number, message: string): never;
}

/**
 * What the engine calls to run an actor: one method invocation with raw dag-cbor params, returning
 * raw dag-cbor bytes or null. Usually built with `defineActor`.
 */
export interface ActorCode {
  invoke(rt: Runtime, method: number, params: Uint8Array | null): Uint8Array | null;
  /** Name and codecs of a method, for traces. */
  describe?(method: number): MethodDescription | undefined;
}

/** What a trace needs to know about a method. */
export interface MethodDescription {
  readonly name: string;
  readonly params?: Codec<any>;
  readonly returns?: Codec<any>;
}
