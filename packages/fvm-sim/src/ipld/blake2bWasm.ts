/**
 * BLAKE2b-256 as a small WebAssembly module, assembled here at load time (no binary file, no
 * build step): 64-bit words are native in WebAssembly, so a block costs a fraction of what the
 * 32-bit-halves JavaScript of `blake2b.ts` costs (≈ 0.3 vs ≈ 3 µs per 128-byte block, measured).
 * The module is compiled synchronously, which Node, Deno and Bun allow for any size; where that
 * is refused (a browser's main thread allows 4 KiB) or WebAssembly is missing, {@link
 * createWasmBlake2b256} returns undefined and the caller keeps the JavaScript version.
 *
 * Layout of the module's memory: the chaining value `h` at 0..63, the input from
 * {@link INPUT_OFFSET}, zero-padded to whole 128-byte blocks by the caller. `digest(len)` hashes
 * `len` input bytes and leaves the 32-byte digest at 0.
 *
 * @module
 */

/** Where the input starts in the module's memory. */
const INPUT_OFFSET = 256;

/** BLAKE2b IV (RFC 7693 §2.6). */
const IV = [
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
];

/** Rounds of the compression function (RFC 7693 §3.2: round `r` uses σ[r mod 10]). */
export const BLAKE2B_ROUNDS = 12;

/** Message schedule σ (RFC 7693 §2.7), shared with the JavaScript version. */
export const BLAKE2B_SIGMA: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

// WebAssembly opcodes used below (core spec §5.4).
const I32 = 0x7f, I64 = 0x7e, VOID = 0x40;
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, CALL = 0x10;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21;
const I64_LOAD = 0x29, I64_STORE = 0x37, I32_CONST = 0x41, I64_CONST = 0x42;
const I32_LE_U = 0x4d, I32_ADD = 0x6a, I32_SUB = 0x6b;
const I64_ADD = 0x7c, I64_XOR = 0x85, I64_ROTR = 0x8a, I64_EXTEND_I32_U = 0xad;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 64-bit value given as its unsigned form. */
function sleb64(u: bigint): number[] {
  let v = BigInt.asIntN(64, u);
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** `compress(off: i32, t: i64, last: i32)`: the function F on the block at `off`, `h` at 0. */
function compressBody(): number[] {
  // Locals: 0 off, 1 t, 2 last (params); 3..18 v0..v15; 19..34 m0..m15.
  const v = (i: number) => 3 + i;
  const m = (i: number) => 19 + i;
  const code: number[] = [];
  const get = (l: number) => code.push(LOCAL_GET, l);
  const set = (l: number) => code.push(LOCAL_SET, l);
  for (let i = 0; i < 16; i++) (get(0), code.push(I64_LOAD, 3, ...uleb(8 * i)), set(m(i)));
  for (let i = 0; i < 8; i++) (code.push(I32_CONST, 0, I64_LOAD, 3, ...uleb(8 * i)), set(v(i)));
  for (let i = 0; i < 8; i++) (code.push(I64_CONST, ...sleb64(IV[i]!)), set(v(8 + i)));
  (get(v(12)), get(1), code.push(I64_XOR), set(v(12)));
  (get(2), code.push(IF, VOID), get(v(14)), code.push(I64_CONST, ...sleb64(-1n), I64_XOR), set(v(14)), code.push(END));
  // a += b + x; d = rotr(d ^ a, 32); c += d; b = rotr(b ^ c, 24); a += b + y; d = rotr(d ^ a, 16); c += d; b = rotr(b ^ c, 63)
  const addTo = (a: number, b: number, x?: number) => {
    get(a), get(b), code.push(I64_ADD);
    if (x !== undefined) (get(x), code.push(I64_ADD));
    set(a);
  };
  const xorRot = (d: number, a: number, r: number) => (get(d), get(a), code.push(I64_XOR, I64_CONST, ...sleb64(BigInt(r)), I64_ROTR), set(d));
  const g = (a: number, b: number, c: number, d: number, x: number, y: number) => {
    addTo(v(a), v(b), m(x));
    xorRot(v(d), v(a), 32);
    addTo(v(c), v(d));
    xorRot(v(b), v(c), 24);
    addTo(v(a), v(b), m(y));
    xorRot(v(d), v(a), 16);
    addTo(v(c), v(d));
    xorRot(v(b), v(c), 63);
  };
  for (let r = 0; r < BLAKE2B_ROUNDS; r++) {
    const s = BLAKE2B_SIGMA[r % 10]!;
    g(0, 4, 8, 12, s[0]!, s[1]!);
    g(1, 5, 9, 13, s[2]!, s[3]!);
    g(2, 6, 10, 14, s[4]!, s[5]!);
    g(3, 7, 11, 15, s[6]!, s[7]!);
    g(0, 5, 10, 15, s[8]!, s[9]!);
    g(1, 6, 11, 12, s[10]!, s[11]!);
    g(2, 7, 8, 13, s[12]!, s[13]!);
    g(3, 4, 9, 14, s[14]!, s[15]!);
  }
  for (let i = 0; i < 8; i++) {
    code.push(I32_CONST, 0, I32_CONST, 0, I64_LOAD, 3, ...uleb(8 * i));
    (get(v(i)), code.push(I64_XOR), get(v(8 + i)), code.push(I64_XOR));
    code.push(I64_STORE, 3, ...uleb(8 * i));
  }
  code.push(END);
  return [...vec([[32, I64]]), ...code];
}

/** `digest(len: i32)`: BLAKE2b-256 of the `len` bytes at INPUT_OFFSET into 0..31. */
function digestBody(): number[] {
  // Locals: 0 len (param); 1 off (i32); 2 t (i64).
  const code: number[] = [];
  for (let i = 0; i < 8; i++) {
    // Parameter block: digest length 32, key length 0, fanout 1, depth 1.
    code.push(I32_CONST, 0, I64_CONST, ...sleb64(IV[i]! ^ (i === 0 ? 0x01010020n : 0n)), I64_STORE, 3, ...uleb(8 * i));
  }
  code.push(I32_CONST, ...sleb64(BigInt(INPUT_OFFSET)).slice(), LOCAL_SET, 1);
  code.push(BLOCK, VOID, LOOP, VOID);
  // Stop when at most one block is left: len - (off - INPUT_OFFSET) <= 128.
  code.push(LOCAL_GET, 0, LOCAL_GET, 1, I32_CONST, ...sleb64(BigInt(INPUT_OFFSET)), I32_SUB, I32_SUB, I32_CONST, ...sleb64(128n), I32_LE_U, BR_IF, 1);
  code.push(LOCAL_GET, 2, I64_CONST, ...sleb64(128n), I64_ADD, LOCAL_SET, 2);
  code.push(LOCAL_GET, 1, LOCAL_GET, 2, I32_CONST, 0, CALL, 0);
  code.push(LOCAL_GET, 1, I32_CONST, ...sleb64(128n), I32_ADD, LOCAL_SET, 1);
  code.push(BR, 0, END, END);
  // The last block (all zeros for empty input): t = len, last = 1.
  code.push(LOCAL_GET, 1, LOCAL_GET, 0, I64_EXTEND_I32_U, I32_CONST, 1, CALL, 0, END);
  return [...vec([[1, I32], [1, I64]]), ...code];
}

/** The module's bytes. */
export function blake2bWasmModuleBytes(): Uint8Array {
  const compress = compressBody();
  const digest = digestBody();
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I64], [I32]]), 0], [0x60, ...vec([[I32]]), 0]])), // types
    ...section(3, vec([[0], [1]])), // functions: compress, digest
    ...section(5, vec([[0x00, 1]])), // one memory, at least one page
    ...section(7, vec([[...name('memory'), 0x02, 0], [...name('digest'), 0x00, 1]])), // exports
    ...section(10, vec([[...uleb(compress.length), ...compress], [...uleb(digest.length), ...digest]])),
  ]);
}

/**
 * A BLAKE2b-256 function backed by the WebAssembly module, or undefined where WebAssembly is not
 * available or refuses a synchronous compile. The returned function is not re-entrant (nothing
 * in it calls back out) and returns a fresh 32-byte array.
 */
export function createWasmBlake2b256(): ((data: Uint8Array) => Uint8Array) | undefined {
  let exports: { memory: WasmMemory; digest: (len: number) => void };
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) return undefined;
    exports = new wasm.Instance(new wasm.Module(blake2bWasmModuleBytes()), {}).exports as typeof exports;
  } catch {
    return undefined;
  }
  const { memory, digest } = exports;
  let mem = new Uint8Array(memory.buffer);
  return (data: Uint8Array): Uint8Array => {
    const n = data.length;
    const end = INPUT_OFFSET + (n === 0 ? 128 : Math.ceil(n / 128) * 128);
    if (end > mem.length) {
      memory.grow(Math.ceil((end - mem.length) / 65536));
      mem = new Uint8Array(memory.buffer);
    }
    mem.set(data, INPUT_OFFSET);
    mem.fill(0, INPUT_OFFSET + n, end);
    digest(n);
    return mem.slice(0, 32);
  };
}

// The little of the WebAssembly JS API used here (the library's compile targets carry no DOM or Node types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
