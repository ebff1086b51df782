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

/**
 * The length the message occupies on chain, which its inclusion gas is charged on: the unsigned
 * message for BLS (signatures are aggregated in the block), the signed message otherwise. Without
 * a signature, a 65-byte secp256k1 signature is assumed.
 */
export function chainLength(m: Message, sig?: Signature): number {
  if (sig?.type === 2) return encodeMessage(m).length;
  if (sig) return encodeSignedMessage(m, sig).length;
  // [msg, sig]: 1 byte array header + msg + 2-byte bytes header (66 bytes) + 66 bytes.
  return 1 + encodeMessage(m).length + 2 + 66;
}
