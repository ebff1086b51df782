import { blake2b } from '@noble/hashes/blake2.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { base32 } from 'multiformats/bases/base32';
import { FvmSimError } from '../errors/base.js';
import { VarintError, decodeUvarint, encodeUvarint } from './varint.js';

/** Address protocols (go-address). */
export const Protocol = { ID: 0, SECP256K1: 1, ACTOR: 2, BLS: 3, DELEGATED: 4 } as const;
/** An address protocol number. */
export type Protocol = (typeof Protocol)[keyof typeof Protocol];
/** Network prefix of the string form: `f` mainnet, `t` testnets. */
export type Network = 'f' | 't';

/** Namespace of the Ethereum Address Manager (f410 addresses). */
export const EAM_NAMESPACE = 10n;
/** Payload lengths. */
export const PAYLOAD_HASH_LENGTH = 20;
export const BLS_PUBLIC_KEY_BYTES = 48;
/** Longest delegated sub-address (ref-fvm `MAX_SUBADDRESS_LEN`). */
export const MAX_SUBADDRESS_LEN = 54;
/** Checksum length. */
export const CHECKSUM_LENGTH = 4;
/** Longest address string (ref-fvm `MAX_ADDRESS_LEN`... string form is 3–138 characters). */
export const MAX_ADDRESS_STRING_LEN = 138;
const MAX_ID = (1n << 63n) - 1n;
/** Largest u64. */
const MAX_U64 = (1n << 64n) - 1n;
/** ID addresses below this are made once and shared (see {@link Address.newId}). */
const ID_CACHE_SIZE = 1n << 14n;
const idAddresses: Address[] = [];

/** Why an address was rejected. */
export type AddressErrorReason =
  | 'UNKNOWN_NETWORK'
  | 'UNKNOWN_PROTOCOL'
  | 'BAD_CHECKSUM'
  | 'BAD_LENGTH'
  | 'BAD_PAYLOAD'
  | 'BAD_BASE32'
  | 'NOT_ID'
  | 'NOT_ETH';

/** Thrown for invalid addresses; `reason` names what is wrong. */
export class AddressError extends FvmSimError {
  constructor(readonly reason: AddressErrorReason, message: string) {
    super(`ADDRESS_${reason}`, message);
  }
}

function checksum(ingest: Uint8Array): Uint8Array {
  return blake2b(ingest, { dkLen: CHECKSUM_LENGTH });
}

function hash160(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: PAYLOAD_HASH_LENGTH });
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * A Filecoin address (go-address / ref-fvm `shared::address`): ID (f0), secp256k1 (f1),
 * actor (f2), BLS (f3) or delegated (f4, e.g. f410 for Ethereum addresses). Immutable.
 *
 * @example
 * ```ts
 * const a = Address.fromString('f01234');
 * a.id;                 // 1234n
 * Address.fromEthAddress('0xff000000000000000000000000000000000004d2').toString(); // 'f01234'
 * ```
 */
export class Address {
  #key: string | undefined;
  #string: string | undefined;
  #id: bigint | undefined;

  private constructor(
    /** The protocol. */
    readonly protocol: Protocol,
    /** The payload (uvarint for IDs; namespace uvarint + sub-address for delegated). */
    readonly payload: Uint8Array,
    /** Protocol byte followed by the payload. */
    readonly bytes: Uint8Array,
  ) {}

  private static make(protocol: Protocol, payload: Uint8Array): Address {
    const bytes = new Uint8Array(payload.length + 1);
    bytes[0] = protocol;
    bytes.set(payload, 1);
    return new Address(protocol, payload, bytes);
  }

  /**
   * An ID address of any u64, as ref-fvm's `Address::new_id` (actors turn u64 params into ID
   * addresses and simply find no actor for huge ones; parsing and decoding still refuse IDs above
   * 2^63 − 1, as go-address does).
   *
   * @throws {@link AddressError} for ids outside 0..2^64−1.
   */
  static newId(id: bigint): Address {
    if (id >= 0n && id < ID_CACHE_SIZE) {
      // Every call names its caller, receiver and origin by ID address (a fifth of a quiet
      // epoch's kernel setup went into building them); addresses are immutable, so they are shared.
      const n = Number(id);
      return (idAddresses[n] ??= Address.make(Protocol.ID, encodeUvarint(id)));
    }
    if (id < 0n || id > MAX_U64) throw new AddressError('BAD_PAYLOAD', `actor ID ${id} is outside 0..2^64-1`);
    return Address.make(Protocol.ID, encodeUvarint(id));
  }

  /**
   * A secp256k1 address from a public key: blake2b-160 of the 65-byte uncompressed key (a 33-byte
   * compressed key is decompressed first).
   */
  static newSecp256k1(pubkey: Uint8Array): Address {
    let key = pubkey;
    if (key.length === 33) key = secp256k1.Point.fromBytes(key).toBytes(false);
    if (key.length !== 65) throw new AddressError('BAD_PAYLOAD', `secp256k1 public key must be 65 bytes uncompressed (or 33 compressed), got ${pubkey.length}`);
    return Address.make(Protocol.SECP256K1, hash160(key));
  }

  /** An actor (f2) address: blake2b-160 of `data`. */
  static newActor(data: Uint8Array): Address {
    return Address.make(Protocol.ACTOR, hash160(data));
  }

  /** A BLS address from a 48-byte G1 public key. */
  static newBls(pubkey: Uint8Array): Address {
    if (pubkey.length !== BLS_PUBLIC_KEY_BYTES) throw new AddressError('BAD_PAYLOAD', `BLS public key must be 48 bytes, got ${pubkey.length}`);
    return Address.make(Protocol.BLS, Uint8Array.from(pubkey));
  }

  /** A delegated (f4) address in `namespace` (an actor ID) with a sub-address of at most 54 bytes. */
  static newDelegated(namespace: bigint, subaddress: Uint8Array): Address {
    if (namespace < 0n || namespace > MAX_ID) throw new AddressError('BAD_PAYLOAD', `namespace ${namespace} is outside 0..2^63-1`);
    if (subaddress.length > MAX_SUBADDRESS_LEN) throw new AddressError('BAD_PAYLOAD', `delegated sub-address is ${subaddress.length} bytes, more than ${MAX_SUBADDRESS_LEN}`);
    return Address.make(Protocol.DELEGATED, concat(encodeUvarint(namespace), subaddress));
  }

  /**
   * An address from an Ethereum address: the masked-ID form (0xff, 11 zero bytes, 8-byte big-endian
   * ID) gives an ID address, anything else an f410 address (FIP-0054/FIP-0055).
   */
  static fromEthAddress(eth: string | Uint8Array): Address {
    let b: Uint8Array;
    if (typeof eth === 'string') {
      const m = /^0x([0-9a-fA-F]{40})$/.exec(eth);
      if (m === null) throw new AddressError('BAD_PAYLOAD', `'${eth}' is not a 0x-prefixed 20-byte hex Ethereum address`);
      b = Uint8Array.from(m[1]!.match(/../g)!.map((h) => parseInt(h, 16)));
    } else b = eth;
    if (b.length !== 20) throw new AddressError('BAD_LENGTH', `Ethereum address must be 20 bytes, got ${b.length}`);
    if (b[0] === 0xff && b.subarray(1, 12).every((x) => x === 0)) {
      const id = new DataView(b.buffer, b.byteOffset + 12, 8).getBigUint64(0);
      return Address.newId(id);
    }
    return Address.newDelegated(EAM_NAMESPACE, Uint8Array.from(b));
  }

  /**
   * Parses the byte form (protocol byte + payload).
   *
   * @throws {@link AddressError} for an unknown protocol or a payload of the wrong length.
   */
  static fromBytes(bytes: Uint8Array): Address {
    if (bytes.length === 0) throw new AddressError('BAD_LENGTH', 'empty address bytes');
    const proto = bytes[0]!;
    const payload = Uint8Array.from(bytes.subarray(1));
    switch (proto) {
      case Protocol.ID: {
        let r: { value: bigint; length: number };
        try {
          r = decodeUvarint(payload);
        } catch (e) {
          throw new AddressError('BAD_PAYLOAD', `invalid ID payload: ${(e as VarintError).message}`);
        }
        if (r.length !== payload.length) throw new AddressError('BAD_LENGTH', 'trailing bytes after ID');
        if (r.value > MAX_ID) throw new AddressError('BAD_PAYLOAD', `actor ID ${r.value} exceeds 2^63-1`);
        break;
      }
      case Protocol.SECP256K1:
      case Protocol.ACTOR:
        if (payload.length !== PAYLOAD_HASH_LENGTH) throw new AddressError('BAD_LENGTH', `protocol ${proto} payload must be 20 bytes, got ${payload.length}`);
        break;
      case Protocol.BLS:
        if (payload.length !== BLS_PUBLIC_KEY_BYTES) throw new AddressError('BAD_LENGTH', `BLS payload must be 48 bytes, got ${payload.length}`);
        break;
      case Protocol.DELEGATED: {
        let r: { value: bigint; length: number };
        try {
          r = decodeUvarint(payload);
        } catch (e) {
          throw new AddressError('BAD_PAYLOAD', `invalid delegated namespace: ${(e as VarintError).message}`);
        }
        if (r.value > MAX_ID) throw new AddressError('BAD_PAYLOAD', `namespace ${r.value} exceeds 2^63-1`);
        if (payload.length - r.length > MAX_SUBADDRESS_LEN) throw new AddressError('BAD_LENGTH', `delegated sub-address longer than ${MAX_SUBADDRESS_LEN} bytes`);
        break;
      }
      default:
        throw new AddressError('UNKNOWN_PROTOCOL', `unknown address protocol ${proto}`);
    }
    return Address.make(proto as Protocol, payload);
  }

  /**
   * Parses the string form (`f0…`, `t1…`, `f410f…`).
   *
   * @throws {@link AddressError} naming what is wrong: network, protocol, base32, length, payload or checksum.
   */
  static fromString(s: string): Address {
    if (s.length < 3 || s.length > MAX_ADDRESS_STRING_LEN) throw new AddressError('BAD_LENGTH', `address string must be 3..${MAX_ADDRESS_STRING_LEN} characters, got ${s.length}`);
    const net = s[0];
    if (net !== 'f' && net !== 't') throw new AddressError('UNKNOWN_NETWORK', `unknown network prefix '${net}' in '${s}': use 'f' (mainnet) or 't' (testnet)`);
    const protoChar = s[1]!;
    if (!/^[0-4]$/.test(protoChar)) throw new AddressError('UNKNOWN_PROTOCOL', `unknown address protocol '${protoChar}' in '${s}'`);
    const proto = Number(protoChar) as Protocol;
    const raw = s.slice(2);
    if (proto === Protocol.ID) {
      if (raw.length > 19 || !/^\d+$/.test(raw)) throw new AddressError('BAD_PAYLOAD', `invalid ID '${raw}'`);
      if (raw.length > 1 && raw[0] === '0') throw new AddressError('BAD_PAYLOAD', `invalid ID '${raw}': leading zero`);
      return Address.newId(BigInt(raw));
    }
    let namespace: bigint | undefined;
    let body = raw;
    if (proto === Protocol.DELEGATED) {
      const i = raw.indexOf('f');
      if (i <= 0 || !/^\d+$/.test(raw.slice(0, i))) throw new AddressError('BAD_PAYLOAD', `delegated address '${s}' must be f4<namespace>f<base32>`);
      namespace = BigInt(raw.slice(0, i));
      body = raw.slice(i + 1);
    }
    if (!/^[a-z2-7]*$/.test(body)) throw new AddressError('BAD_BASE32', `'${body}' is not lower-case base32`);
    let decoded: Uint8Array;
    try {
      decoded = base32.baseDecode(body);
    } catch {
      throw new AddressError('BAD_BASE32', `'${body}' is not valid base32`);
    }
    if (decoded.length < CHECKSUM_LENGTH) throw new AddressError('BAD_LENGTH', `address '${s}' is too short for its checksum`);
    const payload = decoded.subarray(0, decoded.length - CHECKSUM_LENGTH);
    const sum = decoded.subarray(decoded.length - CHECKSUM_LENGTH);
    let addr: Address;
    if (proto === Protocol.DELEGATED) {
      addr = Address.newDelegated(namespace!, Uint8Array.from(payload));
    } else {
      const want = proto === Protocol.BLS ? BLS_PUBLIC_KEY_BYTES : PAYLOAD_HASH_LENGTH;
      if (payload.length !== want) throw new AddressError('BAD_LENGTH', `protocol ${proto} payload must be ${want} bytes, got ${payload.length}`);
      addr = Address.make(proto, Uint8Array.from(payload));
    }
    const expected = checksum(addr.bytes);
    if (!expected.every((b, i) => b === sum[i])) throw new AddressError('BAD_CHECKSUM', `bad checksum in '${s}'`);
    return addr;
  }

  /** The actor ID of an ID address. @throws {@link AddressError} for other protocols. */
  get id(): bigint {
    if (this.#id !== undefined) return this.#id;
    if (this.protocol !== Protocol.ID) throw new AddressError('NOT_ID', `${this.toString()} is not an ID address`);
    // The state tree resolves an ID address on every actor lookup: decode its varint once.
    return (this.#id = decodeUvarint(this.payload).value);
  }

  /** The namespace of a delegated address (undefined for other protocols). */
  get namespace(): bigint | undefined {
    return this.protocol === Protocol.DELEGATED ? decodeUvarint(this.payload).value : undefined;
  }

  /** The sub-address of a delegated address (undefined for other protocols). */
  get subaddress(): Uint8Array | undefined {
    return this.protocol === Protocol.DELEGATED ? this.payload.subarray(decodeUvarint(this.payload).length) : undefined;
  }

  /**
   * The Ethereum form: the masked ID (`0xff…`) for ID addresses, the 20 bytes of an f410 address.
   *
   * @throws {@link AddressError} for other addresses, which have no Ethereum form.
   */
  toEthAddress(): string {
    if (this.protocol === Protocol.ID) {
      const b = new Uint8Array(20);
      b[0] = 0xff;
      new DataView(b.buffer).setBigUint64(12, this.id);
      return `0x${hex(b)}`;
    }
    const sub = this.subaddress;
    if (this.namespace === EAM_NAMESPACE && sub !== undefined && sub.length === 20) return `0x${hex(sub)}`;
    throw new AddressError('NOT_ETH', `${this.toString()} has no Ethereum address: only ID and f410 addresses do`);
  }

  /** The string form with the `f` (default) or `t` prefix. */
  toString(network: Network = 'f'): string {
    if (network === 'f' && this.#string !== undefined) return this.#string;
    let body: string;
    if (this.protocol === Protocol.ID) body = this.id.toString();
    else if (this.protocol === Protocol.DELEGATED) body = `${this.namespace}f${base32.baseEncode(concat(this.subaddress!, checksum(this.bytes)))}`;
    else body = base32.baseEncode(concat(this.payload, checksum(this.bytes)));
    const s = `${network}${this.protocol}${body}`;
    if (network === 'f') this.#string = s;
    return s;
  }

  /** A stable string for use as a Map key (hex of the byte form). */
  get key(): string {
    return (this.#key ??= hex(this.bytes));
  }

  /** Byte-wise equality. */
  equals(other: Address): boolean {
    return this.key === other.key;
  }

  /** `toString()` for JSON. */
  toJSON(): string {
    return this.toString();
  }
}
