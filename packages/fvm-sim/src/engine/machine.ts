import type { CID } from 'multiformats/cid';
import { FvmSimError } from '../errors/base.js';
import { type Blockstore, MemoryBlockstore, putCbor } from '../ipld/blockstore.js';
import { blake2b256 } from '../ipld/cid.js';
import { type PriceList, DEFAULT_NETWORK_VERSION, priceListFor } from '../gas/priceList.js';
import { Address } from '../primitives/address.js';
import type { NetworkInfo } from '../runtime/runtime.js';
import type { ActorState } from '../state/actorState.js';
import { StateTree } from '../state/stateTree.js';
import { concat, i64BE } from './crypto.js';
import type { ActorRegistry } from './registry.js';
import { DecodedStateCache } from './stateCache.js';

/** The versions of the reference implementations whose rules fvm-sim follows. */
export const REFERENCE_VERSIONS = Object.freeze({
  /** filecoin-project/builtin-actors release (commit b0a3bdd6). */
  builtinActors: 'v18.0.0',
  /** filecoin-project/ref-fvm workspace version (commit ef0a9937). */
  refFvm: '4.8.2',
  /** Network version of actors v18 (NV28 "FireHorse"). */
  networkVersion: 28,
});

/** Singleton actor IDs the engine itself relies on (as on mainnet). */
export const SYSTEM_ACTOR_ID = 0n;
export const REWARD_ACTOR_ID = 2n;
export const BURNT_FUNDS_ACTOR_ID = 99n;

/** How signatures are checked: real cryptography, or mock (valid iff equal to `mockSignature`). */
export type SignatureMode = 'real' | 'mock';

/** Options of a {@link Machine}. */
export interface MachineOptions {
  /** The actor bundle. */
  readonly registry: ActorRegistry;
  /** Blockstore (default: a new {@link MemoryBlockstore}). */
  readonly store?: Blockstore;
  /** Start from this state root (default: an empty state tree). */
  readonly stateRoot?: CID;
  /** Network version (default 28). */
  readonly networkVersion?: number;
  /** EIP-155 chain ID (default 31415926, the Lotus devnet's). */
  readonly chainId?: bigint;
  /** Current epoch (default 0). */
  readonly epoch?: bigint;
  /** Base fee in attoFIL (default 100, the minimum base fee). */
  readonly baseFee?: bigint;
  /** Unix time of epoch 0, seconds (default 1598306400, mainnet genesis). */
  readonly genesisTimestamp?: bigint;
  /** Seed of the deterministic chain and beacon randomness (default: empty). */
  readonly seed?: Uint8Array;
  /** Signature checking (default `'real'`). */
  readonly signatureMode?: SignatureMode;
  /** Circulating supply as the node would report it (default: returns 0). */
  readonly circulatingSupply?: (machine: Machine) => bigint;
  /** Maximum call depth (default 1024, as ref-fvm). */
  readonly maxCallDepth?: number;
  /** Record execution traces (default true). */
  readonly traces?: boolean;
}

/** Thrown when the machine is used wrongly (e.g. a message sent while another runs). */
export class MachineError extends FvmSimError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** Seconds per epoch. */
export const EPOCH_DURATION_SECONDS = 30n;

/** A call a {@link MethodMock} answers. */
export interface MockedCall {
  /** Caller actor ID. */
  readonly from: bigint;
  /** Receiver actor ID. */
  readonly to: bigint;
  readonly method: number;
  readonly params: Uint8Array | null;
  readonly value: bigint;
}

/** Answers a mocked call: an exit code (default 0) and return bytes (default none). */
export type MethodMock = (call: MockedCall) => { readonly exitCode?: number; readonly returnData?: Uint8Array | null };

/**
 * The machine: blockstore, state tree, actor bundle and chain context. Messages are applied with
 * `applyMessage` / `applyImplicitMessage` (see `executor.ts`).
 */
export class Machine {
  readonly store: Blockstore;
  readonly registry: ActorRegistry;
  tree: StateTree;
  epoch: bigint;
  baseFee: bigint;
  readonly networkVersion: number;
  readonly chainId: bigint;
  readonly genesisTimestamp: bigint;
  readonly priceList: PriceList;
  signatureMode: SignatureMode;
  readonly maxCallDepth: number;
  traces: boolean;
  /**
   * Mocked methods (Foundry's `mockCall`): a call to a mocked `(actor ID, method)` returns the
   * mock's answer instead of running the actor; value still moves. Not part of state: snapshots
   * and reverts leave mocks as they are. Use {@link mockMethod}.
   */
  readonly methodMocks = new Map<bigint, Map<number, MethodMock>>();
  private readonly seed: Uint8Array;
  private readonly circSupplyFn: (machine: Machine) => bigint;
  /** Set while a message executes, to refuse re-entrant use. */
  busy = false;
  /** State-tree depth messages run at (raised inside {@link simulate}). */
  baseDepth = 0;
  /** Decoded actor states kept between calls (see {@link DecodedStateCache}); not part of state. */
  readonly stateCache = new DecodedStateCache();

  constructor(opts: MachineOptions) {
    this.store = opts.store ?? new MemoryBlockstore();
    this.registry = opts.registry;
    this.tree = opts.stateRoot ? StateTree.load(this.store, opts.stateRoot) : StateTree.empty(this.store);
    this.networkVersion = opts.networkVersion ?? DEFAULT_NETWORK_VERSION;
    this.priceList = priceListFor(this.networkVersion);
    this.chainId = opts.chainId ?? 31415926n;
    this.epoch = opts.epoch ?? 0n;
    this.baseFee = opts.baseFee ?? 100n;
    this.genesisTimestamp = opts.genesisTimestamp ?? 1598306400n;
    this.seed = opts.seed ?? new Uint8Array(0);
    this.signatureMode = opts.signatureMode ?? 'real';
    this.circSupplyFn = opts.circulatingSupply ?? (() => 0n);
    this.maxCallDepth = opts.maxCallDepth ?? 1024;
    this.traces = opts.traces ?? true;
  }

  /** Chain facts as actors see them. */
  get network(): NetworkInfo {
    return {
      epoch: this.epoch,
      version: this.networkVersion,
      chainId: this.chainId,
      baseFee: this.baseFee,
      timestamp: this.genesisTimestamp + this.epoch * EPOCH_DURATION_SECONDS,
    };
  }

  /** Circulating supply, from the configured provider. */
  circulatingSupply(): bigint {
    return this.circSupplyFn(this);
  }

  /**
   * The base randomness of `kind` at `epoch`: blake2b-256(seed ‖ kind ‖ epoch). Real chains take
   * it from tickets and drand; a devnet needs only that it be deterministic and per-epoch.
   */
  randomnessBase(kind: 'chain' | 'beacon', epoch: bigint): Uint8Array {
    return blake2b256(concat([this.seed, Uint8Array.of(kind === 'chain' ? 1 : 2), i64BE(epoch)]));
  }

  /**
   * Runs `fn` (typically `applyMessage` calls) and then undoes every state change it made: for gas
   * estimation and dry runs. Cheap: it journals instead of copying state.
   */
  simulate<T>(fn: () => T): T {
    if (this.busy) throw new MachineError('MACHINE_BUSY', 'cannot simulate while a message executes');
    this.tree.checkpoint();
    const prevBase = this.baseDepth;
    this.baseDepth = this.tree.depth;
    try {
      return fn();
    } finally {
      this.baseDepth = prevBase;
      this.tree.revert();
    }
  }

  /** Writes pending state and returns the state root CID. */
  flush(): CID {
    return this.tree.flush();
  }

  /** Replaces the state with the tree at `root` (for snapshots: roots are immutable). */
  loadStateRoot(root: CID): void {
    this.tree = StateTree.load(this.store, root);
  }

  /** The actor record of an address, or undefined. */
  getActor(address: Address): ActorState | undefined {
    const id = this.tree.lookupId(address);
    return id === undefined ? undefined : this.tree.getActor(id);
  }

  /**
   * Creates an actor record directly (for genesis and test set-up; messages use Init).
   *
   * @param state - the actor's initial state object, stored as its head (default: empty array).
   */
  createActorRecord(id: bigint, code: CID, opts: { state?: unknown; head?: CID; balance?: bigint; delegatedAddress?: Address | null } = {}): ActorState {
    const head = opts.head ?? putCbor(this.store, opts.state === undefined ? [] : opts.state);
    const rec: ActorState = { code, head, sequence: 0n, balance: opts.balance ?? 0n, delegatedAddress: opts.delegatedAddress ?? null };
    this.tree.setActor(id, rec);
    return rec;
  }

  /** ID address helper. */
  static idAddress(id: bigint): Address {
    return Address.newId(id);
  }
}
