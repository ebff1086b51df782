import { FvmSimError } from '../errors/base.js';

/**
 * Gas prices, as data, per network version (ref-fvm `fvm/src/gas/price_list.rs`).
 *
 * All figures are in **milligas** (1 gas = 1000 milligas), the unit ref-fvm counts in, so that
 * fractional per-byte prices such as 2.4 gas/byte stay integers. Wasm instruction gas is not
 * modelled: actors here are native TypeScript, so their execution costs only the syscall-level
 * charges below (state access, sends, hashing, signatures, blocks, events).
 */
export interface PriceList {
  /** Network versions this list applies to, inclusive. */
  readonly networkVersions: readonly [number, number];
  /** On-chain message: compute base. */
  readonly onChainMessageComputeBase: number;
  /** On-chain message: storage base (bytes counted as if added to the message length). */
  readonly onChainMessageStorageBase: number;
  /** On-chain message: storage price per byte. */
  readonly onChainMessageStoragePerByte: number;
  /** Return value of the top-level call, per byte. */
  readonly onChainReturnValuePerByte: number;
  /** A non-zero value transfer. */
  readonly valueTransfer: number;
  /** Invoking a method (base). */
  readonly methodInvocation: number;
  /** Per IPLD link in the params of an invocation. */
  readonly invocationPerLink: number;
  /** Every syscall. */
  readonly syscall: number;
  /** First read of an actor record in a message. */
  readonly actorLookup: number;
  /** First write of an actor record in a message. */
  readonly actorUpdate: number;
  /** Creating an actor record. */
  readonly actorCreateStorage: number;
  /** Assigning an ID to a new address. */
  readonly addressAssignment: number;
  /** Resolving a new address (charged on auto-creation). */
  readonly addressLookup: number;
  /** Opening a block: base compute and storage. */
  readonly blockOpenBase: number;
  readonly blockOpenBaseStorage: number;
  /** Opening a block: per byte (compute) and the retention minimum per byte. */
  readonly blockOpenPerByte: number;
  readonly blockRetentionMinPerByte: number;
  /** Reading a block, per byte. */
  readonly blockReadPerByte: number;
  /** Creating a block: per byte and per link (compute). */
  readonly blockCreatePerByte: number;
  readonly blockPerLink: number;
  /** Linking a block (hashing it into a CID): base compute + storage, and per byte. */
  readonly blockLinkBase: number;
  readonly blockLinkStorageBase: number;
  readonly blockLinkPerByte: number;
  readonly blockLinkStoragePerByte: number;
  /** Hashing per byte. */
  readonly hashPerByte: Readonly<{ sha256: number; blake2b256: number; blake2b512: number; keccak256: number; ripemd160: number }>;
  /** Signature verification: base and per byte of message. */
  readonly sigSecp256k1Base: number;
  readonly sigSecp256k1PerByte: number;
  readonly sigBlsBase: number;
  readonly sigBlsPerByte: number;
  /** Recovering a secp256k1 public key. */
  readonly secpRecover: number;
  /** Randomness / tipset CID lookups: base and per epoch of lookback (storage). */
  readonly randomnessBase: number;
  readonly randomnessPerEpoch: number;
  /** Events: base, per entry, per key byte, per value-ish byte (see chargeEvent). */
  readonly eventBase: number;
  readonly eventPerEntry: number;
  readonly eventKeyBase: number;
  readonly eventPerKeyByte: number;
  /** Seal, PoSt and replica-update verification (the proofs themselves are not verified here). */
  readonly verifySeal: number;
  readonly verifyReplicaUpdate: number;
  readonly verifyPostBase: number;
  readonly verifyPostPerSector: number;
  readonly computeUnsealedSectorCid: number;
}

const G = 1000; // milligas per gas

/**
 * NV21 "Watermelon" prices, from which later lists derive.
 * Source: ref-fvm price_list.rs `WATERMELON_PRICES` (see ../shared/reference/ref-fvm-detail.md §2).
 */
export const WATERMELON_PRICES: PriceList = Object.freeze({
  networkVersions: [21, 24] as const,
  onChainMessageComputeBase: 38_863 * G,
  onChainMessageStorageBase: 36,
  onChainMessageStoragePerByte: 1_300 * G,
  onChainReturnValuePerByte: 1_300 * G,
  valueTransfer: 6_000 * G,
  methodInvocation: 75_000 * G,
  invocationPerLink: 300 * G,
  syscall: 14_000 * G,
  actorLookup: 500_000 * G,
  actorUpdate: 475_000 * G,
  actorCreateStorage: 650_000 * G,
  addressAssignment: 1_000_000 * G,
  addressLookup: 1_050_000 * G,
  blockOpenBase: 300 * G,
  blockOpenBaseStorage: 187_440 * G,
  blockOpenPerByte: 2_400, // 2.4 gas
  blockRetentionMinPerByte: 10 * G,
  blockReadPerByte: 400, // 0.4 gas
  blockCreatePerByte: 2_400,
  blockPerLink: 300 * G,
  blockLinkBase: 300 * G,
  blockLinkStorageBase: (172_000 + 334_000) * G,
  blockLinkPerByte: 12_400, // 2.4 (memcpy) + 10 (blake2b)
  blockLinkStoragePerByte: 3_340 * G,
  hashPerByte: Object.freeze({ sha256: 7 * G, blake2b256: 10 * G, blake2b512: 10 * G, keccak256: 33 * G, ripemd160: 35 * G }),
  sigSecp256k1Base: 1_637_292 * G,
  sigSecp256k1PerByte: 10 * G,
  sigBlsBase: 16_598_605 * G,
  sigBlsPerByte: 26 * G,
  secpRecover: 1_637_292 * G,
  randomnessBase: 146_200 * G,
  randomnessPerEpoch: 75 * G,
  eventBase: 2_000 * G,
  eventPerEntry: 1_400 * G,
  eventKeyBase: 500 * G,
  eventPerKeyByte: 16 * G,
  verifySeal: 2_000 * G,
  verifyReplicaUpdate: 36_316_136 * G,
  verifyPostBase: 117_680_921 * G,
  verifyPostPerSector: 43_780 * G,
  computeUnsealedSectorCid: 98_647 * G,
});

/** NV25–NV28 "TEEP": Watermelon with only the seal-verification price changed (FIP-0105 era). */
export const TEEP_PRICES: PriceList = Object.freeze({
  ...WATERMELON_PRICES,
  networkVersions: [25, 28] as const,
  verifySeal: 42_000_000 * G,
});

/** Every price list, oldest first. */
export const PRICE_LISTS: readonly PriceList[] = [WATERMELON_PRICES, TEEP_PRICES];

/** The network version fvm-sim runs by default: NV28 (actors v18). */
export const DEFAULT_NETWORK_VERSION = 28;

/**
 * The price list in force at a network version.
 *
 * @throws RangeError-like {@link GasError} for versions ref-fvm does not serve (below NV21).
 */
export function priceListFor(networkVersion: number): PriceList {
  for (const list of PRICE_LISTS) {
    if (networkVersion >= list.networkVersions[0] && networkVersion <= list.networkVersions[1]) return list;
  }
  if (networkVersion > TEEP_PRICES.networkVersions[1]) return TEEP_PRICES;
  throw new UnsupportedNetworkVersionError(networkVersion);
}


/** Thrown for a network version ref-fvm does not support (it refuses everything below NV21). */
export class UnsupportedNetworkVersionError extends FvmSimError {
  constructor(readonly networkVersion: number) {
    super('UNSUPPORTED_NETWORK_VERSION', `network version ${networkVersion} is not supported: use 21 or later (ref-fvm refuses older versions)`);
  }
}

/** Inclusion cost of a message of `length` bytes on chain, in milligas (compute + storage). */
export function onChainMessageCharge(p: PriceList, length: number): number {
  return p.onChainMessageComputeBase + p.actorUpdate + p.onChainMessageStoragePerByte * (p.onChainMessageStorageBase + length);
}
