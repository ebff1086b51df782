/**
 * HAMT key encodings of builtin-actors (see ../shared/reference/builtin-actors.md §4):
 * u64 keys are unsigned varints, ChainEpoch (i64) keys are zigzag varints, addresses their bytes.
 */

/** Unsigned LEB128 varint of a u64 (deal IDs, sector numbers, actor IDs). */
export function u64Key(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError(`u64 key must not be negative: ${n}`);
  // Below 2^53 in numbers: every HAMT lookup by deal, sector or epoch makes one of these.
  if (n <= MAX_SAFE) return smallKey(Number(n));
  const out: number[] = [];
  let v = n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function smallKey(n: number): Uint8Array {
  let size = 1;
  for (let t = n; t >= 128; t = Math.floor(t / 128)) size++;
  const out = new Uint8Array(size);
  let v = n;
  for (let i = 0; i < size - 1; i++) {
    out[i] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[size - 1] = v;
  return out;
}

/** Zigzag varint of an i64 (ChainEpoch keys): epoch 101 → `ca 01`. */
export function epochKey(epoch: bigint): Uint8Array {
  const zz = epoch >= 0n ? epoch << 1n : ((-epoch) << 1n) - 1n;
  return u64Key(zz);
}

/** Decodes an unsigned varint key. */
export function parseU64Key(key: Uint8Array): bigint {
  let v = 0n;
  let shift = 0n;
  for (const b of key) {
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  }
  return v;
}

/** Decodes a zigzag varint key. */
export function parseEpochKey(key: Uint8Array): bigint {
  const zz = parseU64Key(key);
  return zz & 1n ? -((zz + 1n) >> 1n) : zz >> 1n;
}
