import type { CID } from 'multiformats/cid';
import { CodecError } from '../ipld/codec.js';
import { Address } from '../primitives/address.js';
import { decodeBigInt, encodeBigInt } from '../primitives/token.js';

/**
 * One actor's record in the state tree (ref-fvm `ActorState`). Records are immutable values:
 * every change makes a new object, which is what lets the state tree journal cheaply.
 */
export interface ActorState {
  /** Code CID: which actor implementation runs for this actor. */
  readonly code: CID;
  /** Root CID of the actor's own state. */
  readonly head: CID;
  /** Nonce: the number of messages this actor has sent (accounts) or 0. */
  readonly sequence: bigint;
  /** Balance in attoFIL. */
  readonly balance: bigint;
  /** The f4 address the actor was created with, if any (never changes). */
  readonly delegatedAddress: Address | null;
}

/** CBOR tuple form of an actor record: `[code, head, sequence, balance, delegated_address]`. */
export function actorStateToCbor(a: ActorState): unknown[] {
  const seq = a.sequence <= 9007199254740991n ? Number(a.sequence) : a.sequence;
  return [a.code, a.head, seq, encodeBigInt(a.balance), a.delegatedAddress ? a.delegatedAddress.bytes : null];
}

/** Parses the CBOR tuple of an actor record. */
export function actorStateFromCbor(raw: unknown): ActorState {
  if (!Array.isArray(raw) || raw.length !== 5) throw new CodecError('actor state must be a 5-tuple');
  const [code, head, seq, bal, deleg] = raw as [CID, CID, number | bigint, Uint8Array, Uint8Array | null];
  return {
    code,
    head,
    sequence: BigInt(seq),
    balance: decodeBigInt(bal),
    delegatedAddress: deleg === null ? null : Address.fromBytes(deleg),
  };
}
