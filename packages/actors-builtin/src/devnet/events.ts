/**
 * Decoding of actor events (FIP-0049) as the built-in actors emit them (FIP-0083): a `$type`
 * entry naming the event, then one entry per field, each a dag-cbor value.
 *
 * @module
 */
import { type StampedEvent, decodeCbor } from 'fvm-sim';

/** IPLD codec of dag-cbor event values. */
const CBOR = 0x51;

/** An actor event with its entries decoded. */
export interface DecodedEvent {
  /** Actor ID of the emitter. */
  readonly emitter: bigint;
  /** The `$type` entry (e.g. `'deal-published'`), or `undefined` for events without one (user actors). */
  readonly type: string | undefined;
  /** Every other entry by key, decoded from dag-cbor (raw-codec values stay bytes). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Decodes an event's entries.
 *
 * @example
 * ```ts
 * const r = net.send({ … });
 * const published = r.events.map(decodeEvent).filter((e) => e.type === 'deal-published');
 * ```
 */
export function decodeEvent(ev: StampedEvent): DecodedEvent {
  let type: string | undefined;
  const fields: Record<string, unknown> = {};
  for (const e of ev.entries) {
    const value = e.codec === CBOR ? decodeCbor(e.value) : e.value;
    if (e.key === '$type' && typeof value === 'string') type = value;
    else fields[e.key] = value;
  }
  return { emitter: ev.emitter, type, fields };
}
