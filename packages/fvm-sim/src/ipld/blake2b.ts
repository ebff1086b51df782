/**
 * BLAKE2b with a 32-byte digest (RFC 7693, unkeyed), the hash of every Filecoin state block.
 *
 * A straight implementation of the RFC: 64-bit words as pairs of 32-bit halves (`…l` low, `…h`
 * high) held in local variables, the eight G mixes of a round written out. It gives the digests
 * `@noble/hashes` gives (checked against it over random inputs in `blake2b.test.ts`) about four
 * times faster. {@link blake2b256} uses the WebAssembly version of `blake2bWasm.ts` where it
 * compiles (several times faster again) and this one elsewhere.
 *
 * @module
 */

import { BLAKE2B_ROUNDS, BLAKE2B_SIGMA, createWasmBlake2b256 } from './blake2bWasm.js';

/** The initialisation vector (RFC 7693 §2.6), as [low, high] 32-bit halves. */
const IV = new Int32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

/** The message schedule σ of the 12 rounds (RFC 7693 §2.7), as offsets into the 32-bit halves of the block. */
const SIGMA = Uint8Array.from(Array.from({ length: BLAKE2B_ROUNDS }, (_, r) => BLAKE2B_SIGMA[r % 10]!).flat().map((i) => 2 * i));

// Working state, shared by every call (hashing is synchronous and never re-entered).
const h = new Int32Array(16);
const m = new Int32Array(32);
const tail = new Uint8Array(128);

/**
 * The compression function F (RFC 7693 §3.2) on the 128-byte block at `offset` of `block`; `t` is
 * the byte count so far (below 2^53), `last` marks the final block.
 */
function compress(block: Uint8Array, offset: number, t: number, last: boolean): void {
  let v0l = h[0]!, v0h = h[1]!, v1l = h[2]!, v1h = h[3]!, v2l = h[4]!, v2h = h[5]!, v3l = h[6]!, v3h = h[7]!;
  let v4l = h[8]!, v4h = h[9]!, v5l = h[10]!, v5h = h[11]!, v6l = h[12]!, v6h = h[13]!, v7l = h[14]!, v7h = h[15]!;
  let v8l = IV[0]!, v8h = IV[1]!, v9l = IV[2]!, v9h = IV[3]!, v10l = IV[4]!, v10h = IV[5]!, v11l = IV[6]!, v11h = IV[7]!;
  let v12l = IV[8]!, v12h = IV[9]!, v13l = IV[10]!, v13h = IV[11]!, v14l = IV[12]!, v14h = IV[13]!, v15l = IV[14]!, v15h = IV[15]!;
  let lo = 0;
  let x = 0;
  let y = 0;
  let t0 = 0;
  v12l ^= t;
  v12h ^= Math.floor(t / 0x100000000);
  if (last) {
    v14l = ~v14l;
    v14h = ~v14h;
  }
  for (let i = 0; i < 32; i++) {
    const p = offset + 4 * i;
    m[i] = block[p]! | (block[p + 1]! << 8) | (block[p + 2]! << 16) | (block[p + 3]! << 24);
  }
  // G(a, b, c, d, x, y): a += b + x; d = rotr(d ^ a, 32); c += d; b = rotr(b ^ c, 24);
  // a += b + y; d = rotr(d ^ a, 16); c += d; b = rotr(b ^ c, 63) — additions mod 2^64, carries by hand.
  for (let s = 0; s < BLAKE2B_ROUNDS * 16; s += 16) {
    // G0
    lo = (v0l >>> 0) + (v4l >>> 0); v0h = (v0h + v4h + (lo > 0xffffffff ? 1 : 0)) | 0; v0l = lo | 0;
    lo = (v0l >>> 0) + (m[SIGMA[s + 0]!]! >>> 0); v0h = (v0h + m[SIGMA[s + 0]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v0l = lo | 0;
    t0 = v12l ^ v0l; v12l = v12h ^ v0h; v12h = t0;
    lo = (v8l >>> 0) + (v12l >>> 0); v8h = (v8h + v12h + (lo > 0xffffffff ? 1 : 0)) | 0; v8l = lo | 0;
    x = v4l ^ v8l; y = v4h ^ v8h; v4l = (x >>> 24) | (y << 8); v4h = (y >>> 24) | (x << 8);
    lo = (v0l >>> 0) + (v4l >>> 0); v0h = (v0h + v4h + (lo > 0xffffffff ? 1 : 0)) | 0; v0l = lo | 0;
    lo = (v0l >>> 0) + (m[SIGMA[s + 1]!]! >>> 0); v0h = (v0h + m[SIGMA[s + 1]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v0l = lo | 0;
    x = v12l ^ v0l; y = v12h ^ v0h; v12l = (x >>> 16) | (y << 16); v12h = (y >>> 16) | (x << 16);
    lo = (v8l >>> 0) + (v12l >>> 0); v8h = (v8h + v12h + (lo > 0xffffffff ? 1 : 0)) | 0; v8l = lo | 0;
    x = v4l ^ v8l; y = v4h ^ v8h; v4l = (y >>> 31) | (x << 1); v4h = (x >>> 31) | (y << 1);
    // G1
    lo = (v1l >>> 0) + (v5l >>> 0); v1h = (v1h + v5h + (lo > 0xffffffff ? 1 : 0)) | 0; v1l = lo | 0;
    lo = (v1l >>> 0) + (m[SIGMA[s + 2]!]! >>> 0); v1h = (v1h + m[SIGMA[s + 2]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v1l = lo | 0;
    t0 = v13l ^ v1l; v13l = v13h ^ v1h; v13h = t0;
    lo = (v9l >>> 0) + (v13l >>> 0); v9h = (v9h + v13h + (lo > 0xffffffff ? 1 : 0)) | 0; v9l = lo | 0;
    x = v5l ^ v9l; y = v5h ^ v9h; v5l = (x >>> 24) | (y << 8); v5h = (y >>> 24) | (x << 8);
    lo = (v1l >>> 0) + (v5l >>> 0); v1h = (v1h + v5h + (lo > 0xffffffff ? 1 : 0)) | 0; v1l = lo | 0;
    lo = (v1l >>> 0) + (m[SIGMA[s + 3]!]! >>> 0); v1h = (v1h + m[SIGMA[s + 3]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v1l = lo | 0;
    x = v13l ^ v1l; y = v13h ^ v1h; v13l = (x >>> 16) | (y << 16); v13h = (y >>> 16) | (x << 16);
    lo = (v9l >>> 0) + (v13l >>> 0); v9h = (v9h + v13h + (lo > 0xffffffff ? 1 : 0)) | 0; v9l = lo | 0;
    x = v5l ^ v9l; y = v5h ^ v9h; v5l = (y >>> 31) | (x << 1); v5h = (x >>> 31) | (y << 1);
    // G2
    lo = (v2l >>> 0) + (v6l >>> 0); v2h = (v2h + v6h + (lo > 0xffffffff ? 1 : 0)) | 0; v2l = lo | 0;
    lo = (v2l >>> 0) + (m[SIGMA[s + 4]!]! >>> 0); v2h = (v2h + m[SIGMA[s + 4]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v2l = lo | 0;
    t0 = v14l ^ v2l; v14l = v14h ^ v2h; v14h = t0;
    lo = (v10l >>> 0) + (v14l >>> 0); v10h = (v10h + v14h + (lo > 0xffffffff ? 1 : 0)) | 0; v10l = lo | 0;
    x = v6l ^ v10l; y = v6h ^ v10h; v6l = (x >>> 24) | (y << 8); v6h = (y >>> 24) | (x << 8);
    lo = (v2l >>> 0) + (v6l >>> 0); v2h = (v2h + v6h + (lo > 0xffffffff ? 1 : 0)) | 0; v2l = lo | 0;
    lo = (v2l >>> 0) + (m[SIGMA[s + 5]!]! >>> 0); v2h = (v2h + m[SIGMA[s + 5]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v2l = lo | 0;
    x = v14l ^ v2l; y = v14h ^ v2h; v14l = (x >>> 16) | (y << 16); v14h = (y >>> 16) | (x << 16);
    lo = (v10l >>> 0) + (v14l >>> 0); v10h = (v10h + v14h + (lo > 0xffffffff ? 1 : 0)) | 0; v10l = lo | 0;
    x = v6l ^ v10l; y = v6h ^ v10h; v6l = (y >>> 31) | (x << 1); v6h = (x >>> 31) | (y << 1);
    // G3
    lo = (v3l >>> 0) + (v7l >>> 0); v3h = (v3h + v7h + (lo > 0xffffffff ? 1 : 0)) | 0; v3l = lo | 0;
    lo = (v3l >>> 0) + (m[SIGMA[s + 6]!]! >>> 0); v3h = (v3h + m[SIGMA[s + 6]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v3l = lo | 0;
    t0 = v15l ^ v3l; v15l = v15h ^ v3h; v15h = t0;
    lo = (v11l >>> 0) + (v15l >>> 0); v11h = (v11h + v15h + (lo > 0xffffffff ? 1 : 0)) | 0; v11l = lo | 0;
    x = v7l ^ v11l; y = v7h ^ v11h; v7l = (x >>> 24) | (y << 8); v7h = (y >>> 24) | (x << 8);
    lo = (v3l >>> 0) + (v7l >>> 0); v3h = (v3h + v7h + (lo > 0xffffffff ? 1 : 0)) | 0; v3l = lo | 0;
    lo = (v3l >>> 0) + (m[SIGMA[s + 7]!]! >>> 0); v3h = (v3h + m[SIGMA[s + 7]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v3l = lo | 0;
    x = v15l ^ v3l; y = v15h ^ v3h; v15l = (x >>> 16) | (y << 16); v15h = (y >>> 16) | (x << 16);
    lo = (v11l >>> 0) + (v15l >>> 0); v11h = (v11h + v15h + (lo > 0xffffffff ? 1 : 0)) | 0; v11l = lo | 0;
    x = v7l ^ v11l; y = v7h ^ v11h; v7l = (y >>> 31) | (x << 1); v7h = (x >>> 31) | (y << 1);
    // G4
    lo = (v0l >>> 0) + (v5l >>> 0); v0h = (v0h + v5h + (lo > 0xffffffff ? 1 : 0)) | 0; v0l = lo | 0;
    lo = (v0l >>> 0) + (m[SIGMA[s + 8]!]! >>> 0); v0h = (v0h + m[SIGMA[s + 8]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v0l = lo | 0;
    t0 = v15l ^ v0l; v15l = v15h ^ v0h; v15h = t0;
    lo = (v10l >>> 0) + (v15l >>> 0); v10h = (v10h + v15h + (lo > 0xffffffff ? 1 : 0)) | 0; v10l = lo | 0;
    x = v5l ^ v10l; y = v5h ^ v10h; v5l = (x >>> 24) | (y << 8); v5h = (y >>> 24) | (x << 8);
    lo = (v0l >>> 0) + (v5l >>> 0); v0h = (v0h + v5h + (lo > 0xffffffff ? 1 : 0)) | 0; v0l = lo | 0;
    lo = (v0l >>> 0) + (m[SIGMA[s + 9]!]! >>> 0); v0h = (v0h + m[SIGMA[s + 9]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v0l = lo | 0;
    x = v15l ^ v0l; y = v15h ^ v0h; v15l = (x >>> 16) | (y << 16); v15h = (y >>> 16) | (x << 16);
    lo = (v10l >>> 0) + (v15l >>> 0); v10h = (v10h + v15h + (lo > 0xffffffff ? 1 : 0)) | 0; v10l = lo | 0;
    x = v5l ^ v10l; y = v5h ^ v10h; v5l = (y >>> 31) | (x << 1); v5h = (x >>> 31) | (y << 1);
    // G5
    lo = (v1l >>> 0) + (v6l >>> 0); v1h = (v1h + v6h + (lo > 0xffffffff ? 1 : 0)) | 0; v1l = lo | 0;
    lo = (v1l >>> 0) + (m[SIGMA[s + 10]!]! >>> 0); v1h = (v1h + m[SIGMA[s + 10]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v1l = lo | 0;
    t0 = v12l ^ v1l; v12l = v12h ^ v1h; v12h = t0;
    lo = (v11l >>> 0) + (v12l >>> 0); v11h = (v11h + v12h + (lo > 0xffffffff ? 1 : 0)) | 0; v11l = lo | 0;
    x = v6l ^ v11l; y = v6h ^ v11h; v6l = (x >>> 24) | (y << 8); v6h = (y >>> 24) | (x << 8);
    lo = (v1l >>> 0) + (v6l >>> 0); v1h = (v1h + v6h + (lo > 0xffffffff ? 1 : 0)) | 0; v1l = lo | 0;
    lo = (v1l >>> 0) + (m[SIGMA[s + 11]!]! >>> 0); v1h = (v1h + m[SIGMA[s + 11]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v1l = lo | 0;
    x = v12l ^ v1l; y = v12h ^ v1h; v12l = (x >>> 16) | (y << 16); v12h = (y >>> 16) | (x << 16);
    lo = (v11l >>> 0) + (v12l >>> 0); v11h = (v11h + v12h + (lo > 0xffffffff ? 1 : 0)) | 0; v11l = lo | 0;
    x = v6l ^ v11l; y = v6h ^ v11h; v6l = (y >>> 31) | (x << 1); v6h = (x >>> 31) | (y << 1);
    // G6
    lo = (v2l >>> 0) + (v7l >>> 0); v2h = (v2h + v7h + (lo > 0xffffffff ? 1 : 0)) | 0; v2l = lo | 0;
    lo = (v2l >>> 0) + (m[SIGMA[s + 12]!]! >>> 0); v2h = (v2h + m[SIGMA[s + 12]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v2l = lo | 0;
    t0 = v13l ^ v2l; v13l = v13h ^ v2h; v13h = t0;
    lo = (v8l >>> 0) + (v13l >>> 0); v8h = (v8h + v13h + (lo > 0xffffffff ? 1 : 0)) | 0; v8l = lo | 0;
    x = v7l ^ v8l; y = v7h ^ v8h; v7l = (x >>> 24) | (y << 8); v7h = (y >>> 24) | (x << 8);
    lo = (v2l >>> 0) + (v7l >>> 0); v2h = (v2h + v7h + (lo > 0xffffffff ? 1 : 0)) | 0; v2l = lo | 0;
    lo = (v2l >>> 0) + (m[SIGMA[s + 13]!]! >>> 0); v2h = (v2h + m[SIGMA[s + 13]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v2l = lo | 0;
    x = v13l ^ v2l; y = v13h ^ v2h; v13l = (x >>> 16) | (y << 16); v13h = (y >>> 16) | (x << 16);
    lo = (v8l >>> 0) + (v13l >>> 0); v8h = (v8h + v13h + (lo > 0xffffffff ? 1 : 0)) | 0; v8l = lo | 0;
    x = v7l ^ v8l; y = v7h ^ v8h; v7l = (y >>> 31) | (x << 1); v7h = (x >>> 31) | (y << 1);
    // G7
    lo = (v3l >>> 0) + (v4l >>> 0); v3h = (v3h + v4h + (lo > 0xffffffff ? 1 : 0)) | 0; v3l = lo | 0;
    lo = (v3l >>> 0) + (m[SIGMA[s + 14]!]! >>> 0); v3h = (v3h + m[SIGMA[s + 14]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v3l = lo | 0;
    t0 = v14l ^ v3l; v14l = v14h ^ v3h; v14h = t0;
    lo = (v9l >>> 0) + (v14l >>> 0); v9h = (v9h + v14h + (lo > 0xffffffff ? 1 : 0)) | 0; v9l = lo | 0;
    x = v4l ^ v9l; y = v4h ^ v9h; v4l = (x >>> 24) | (y << 8); v4h = (y >>> 24) | (x << 8);
    lo = (v3l >>> 0) + (v4l >>> 0); v3h = (v3h + v4h + (lo > 0xffffffff ? 1 : 0)) | 0; v3l = lo | 0;
    lo = (v3l >>> 0) + (m[SIGMA[s + 15]!]! >>> 0); v3h = (v3h + m[SIGMA[s + 15]! + 1]! + (lo > 0xffffffff ? 1 : 0)) | 0; v3l = lo | 0;
    x = v14l ^ v3l; y = v14h ^ v3h; v14l = (x >>> 16) | (y << 16); v14h = (y >>> 16) | (x << 16);
    lo = (v9l >>> 0) + (v14l >>> 0); v9h = (v9h + v14h + (lo > 0xffffffff ? 1 : 0)) | 0; v9l = lo | 0;
    x = v4l ^ v9l; y = v4h ^ v9h; v4l = (y >>> 31) | (x << 1); v4h = (x >>> 31) | (y << 1);
  }
  h[0]! ^= v0l ^ v8l;
  h[1]! ^= v0h ^ v8h;
  h[2]! ^= v1l ^ v9l;
  h[3]! ^= v1h ^ v9h;
  h[4]! ^= v2l ^ v10l;
  h[5]! ^= v2h ^ v10h;
  h[6]! ^= v3l ^ v11l;
  h[7]! ^= v3h ^ v11h;
  h[8]! ^= v4l ^ v12l;
  h[9]! ^= v4h ^ v12h;
  h[10]! ^= v5l ^ v13l;
  h[11]! ^= v5h ^ v13h;
  h[12]! ^= v6l ^ v14l;
  h[13]! ^= v6h ^ v14h;
  h[14]! ^= v7l ^ v15l;
  h[15]! ^= v7h ^ v15h;
}

/** BLAKE2b-256 of `data` (digest length 32, no key), in JavaScript (where WebAssembly is not available). */
export function blake2b256Js(data: Uint8Array): Uint8Array {
  h.set(IV);
  h[0]! ^= 0x01010020; // parameter block: digest length 32, key length 0, fanout 1, depth 1
  const n = data.length;
  let offset = 0;
  for (; n - offset > 128; offset += 128) compress(data, offset, offset + 128, false);
  tail.fill(0);
  tail.set(data.subarray(offset, n));
  compress(tail, 0, n, true);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = h[i]!;
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
  return out;
}

/**
 * BLAKE2b-256 of `data` (digest length 32, no key): the WebAssembly version where it compiles
 * (≈ 5–10× faster, see `blake2bWasm.ts`), else {@link blake2b256Js}. Both give the same digests.
 */
export const blake2b256: (data: Uint8Array) => Uint8Array = createWasmBlake2b256() ?? blake2b256Js;
