import type { CID } from 'multiformats/cid';
import { encodeCbor } from '../ipld/cbor.js';
import { cborCid } from '../ipld/cid.js';
import type { Address } from '../primitives/address.js';
import { type Signature, signatureToBytes } from '../primitives/signature.js';
import { encodeBigInt } from '../primitives/token.js';

/** A Filecoin message (the fields of ref-fvm's `Message`). */
export interface Message {
  /** Always 0. */
  readonly version?: 0;
  /** Sender: any address that resolves to an account. */
  readonly from: Address;
  /** Receiver. */
  readonly to: Address;
  /** Sender's nonce (sequence). */
  readonly nonce: bigint;
  /** Value in attoFIL. */
  readonly value: bigint;
  /** Method number (0 = plain send). */
  readonly method: number;
  /** dag-cbor params, or null. */
  readonly params?: Uint8Array | null;
  /** Gas limit. */
  readonly gasLimit: bigint;
  /** Max attoFIL per gas the sender pays. */
  readonly gasFeeCap: bigint;
  /** attoFIL per gas offered to the block miner on top of the base fee. */
  readonly gasPremium: bigint;
}

function int(v: bigint): number | bigint {
  return v <= 9007199254740991n ? Number(v) : v;
}

/** The CBOR tuple of a message, in wire order: `[version, to, from, nonce, value, gas_limit, fee_cap, premium, method, params]`. */
export function messageToCbor(m: Message): unknown[] {
  return [
    0,
    m.to.bytes,
    m.from.bytes,
    int(m.nonce),
    encodeBigInt(m.value),
    int(m.gasLimit),
    encodeBigInt(m.gasFeeCap),
    encodeBigInt(m.gasPremium),
    m.method,
    m.params ?? new Uint8Array(0),
  ];
}

/** The dag-cbor bytes of an unsigned message. */
export function encodeMessage(m: Message): Uint8Array {
  return encodeCbor(messageToCbor(m));
}

/** The CID of an unsigned message (what BLS messages are identified by, and what gets signed). */
export function messageCid(m: Message): CID {
  return cborCid(encodeMessage(m));
}

/** The dag-cbor bytes of a signed message `[message, signature]`. */
export function encodeSignedMessage(m: Message, sig: Signature): Uint8Array {
  return encodeCbor([messageToCbor(m), signatureToBytes(sig)]);
}

/** Bytes of a CBOR head (major type + argument) for the unsigned argument `n`. */
function headLength(n: bigint): number {
  return n < 24n ? 1 : n < 0x100n ? 2 : n < 0x1_0000n ? 3 : n < 0x1_0000_0000n ? 5 : 9;
}

/** Bytes of a CBOR integer (`int()` above: negative values use the major-type-1 argument −1 − n). */
function intLength(n: bigint): number {
  return headLength(n < 0n ? -1n - n : n);
}

/** Bytes of a CBOR byte string of `len` bytes. */
function bytesLength(len: number): number {
  return headLength(BigInt(len)) + len;
}

/** Length of {@link encodeBigInt}'s output: a sign byte plus the big-endian magnitude, empty for 0. */
function bigIntBytesLength(v: bigint): number {
  if (v === 0n) return 0;
  let mag = v < 0n ? -v : v;
  let n = 1;
  while (mag > 0n) {
    mag >>= 8n;
    n++;
  }
  return n;
}

/**
 * `encodeMessage(m).length`, computed without encoding: the inclusion gas of every message needs
 * it, and encoding the message just to measure it was the executor's largest cost for a transfer.
 */
export function encodedMessageLength(m: Message): number {
  return (
    1 + // array head of 10
    1 + // version 0
    bytesLength(m.to.bytes.length) +
    bytesLength(m.from.bytes.length) +
    intLength(m.nonce) +
    bytesLength(bigIntBytesLength(m.value)) +
    intLength(m.gasLimit) +
    bytesLength(bigIntBytesLength(m.gasFeeCap)) +
    bytesLength(bigIntBytesLength(m.gasPremium)) +
    intLength(BigInt(m.method)) +
    bytesLength(m.params?.length ?? 0)
  );
}

/**
 * The length the message occupies on chain, which its inclusion gas is charged on: the unsigned
 * message for BLS (signatures are aggregated in the block), the signed message otherwise. Without
 * a signature, a 65-byte secp256k1 signature is assumed. Equal to the encoded lengths (see
 * {@link encodeSignedMessage}), computed arithmetically.
 */
export function chainLength(m: Message, sig?: Signature): number {
  const msgLength = encodedMessageLength(m);
  if (sig?.type === 2) return msgLength;
  // [msg, sig]: 1 byte array head + msg + the signature bytes (type byte + data) with their head.
  if (sig) return 1 + msgLength + bytesLength(sig.data.length + 1);
  return 1 + msgLength + 2 + 66;
}
