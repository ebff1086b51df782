import type { CID } from 'multiformats/cid';
import type { Address } from '../primitives/address.js';
import type { StampedEvent } from '../runtime/runtime.js';

/**
 * One call in a message's execution: who called whom, with what, and how it ended. Subcalls
 * nest. Params and returns are kept raw; `formatTrace` decodes them with the callee's codecs.
 */
export interface TraceFrame {
  /** Caller's actor ID. */
  readonly from: bigint;
  /** The receiver as addressed. */
  readonly to: Address;
  /** The receiver's actor ID, once resolved (undefined if it never resolved). */
  toId: bigint | undefined;
  /** The receiver's code CID, when it exists. */
  code: CID | undefined;
  /** Method number. */
  readonly method: number;
  /** Value sent (attoFIL). */
  readonly value: bigint;
  /** Raw params. */
  readonly params: Uint8Array | null;
  /** Whether the call ran read-only. */
  readonly readOnly: boolean;
  /** Exit code. */
  exitCode: number;
  /** Raw return. */
  returnData: Uint8Array | null;
  /** Gas used by this call and its subcalls, in milligas. */
  gasUsedMilligas: number;
  /** Events this call emitted itself that survived. */
  events: StampedEvent[];
  /** Subcalls, in order. */
  readonly subcalls: TraceFrame[];
  /** Abort message or send error, if any. */
  error?: string;
}
