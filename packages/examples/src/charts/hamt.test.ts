import { Address, Hamt, MemoryBlockstore, getCbor, type CID } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { defaultKeyLabel, hamtShape, hamtToMermaid, occupiedSlots } from './hamt.js';

const hex = (k: Uint8Array) => `0x${Buffer.from(k).toString('hex')}`;
const short = (c: CID) => `${c.toString().slice(0, 8)}…${c.toString().slice(-4)}`;

/** Bitwidth 1 with the key itself as the "hash": slot at depth d is bit d of the key, MSB first. */
function tinyHamt(keys: number[]) {
  const store = new MemoryBlockstore();
  const h = Hamt.empty<number>(store, 1, { hashFn: (k) => k });
  for (const k of keys) h.set(Uint8Array.of(k), k);
  return { store, root: h.flush() };
}

describe('hamtToMermaid', () => {
  it('draws nodes, slots, links and buckets', () => {
    // 0x00, 0x01, 0x40, 0x41 share slot 0 at the root: 4 entries overflow a bucket into a child node,
    // which splits them by the next bit. 0x80 and 0xc0 stay in the root's slot-1 bucket.
    const { store, root } = tinyHamt([0x00, 0x01, 0x40, 0x41, 0x80, 0xc0]);
    const child = getCbor<[Uint8Array, CID[]]>(store, root)[1][0]!;
    expect(hamtToMermaid(store, root, { bitwidth: 1, keyLabel: hex, valueLabel: (v) => String(v) })).toBe([
      'graph TD',
      `  n["node ${short(root)}<br/>2 of 2 slots"]`,
      `  n_0["node ${short(child)}<br/>2 of 2 slots"]`,
      '  n_0_0(["0x00 → 0<br/>0x01 → 1"])',
      '  n_0 -->|0| n_0_0',
      '  n_0_1(["0x40 → 64<br/>0x41 → 65"])',
      '  n_0 -->|1| n_0_1',
      '  n -->|0| n_0',
      '  n_1(["0x80 → 128<br/>0xc0 → 192"])',
      '  n -->|1| n_1',
    ].join('\n'));
    expect(hamtShape(store, root)).toEqual({ nodes: 2, buckets: 3, entries: 6, depth: 1 });
  });

  it('stops after maxShapes and says how much it left out', () => {
    const { store, root } = tinyHamt([0x00, 0x01, 0x40, 0x41, 0x80, 0xc0]);
    const text = hamtToMermaid(store, root, { bitwidth: 1, keyLabel: hex, maxShapes: 2 });
    expect(text.split('\n').slice(-1)).toEqual(['  more["… 3 more slots not drawn"]']);
    expect(text).not.toContain('n_1(');
  });

  it('escapes labels', () => {
    const store = new MemoryBlockstore();
    const h = Hamt.empty<number>(store);
    h.set(new TextEncoder().encode('<a>#"'), 1);
    const text = hamtToMermaid(store, h.flush());
    expect(text).toContain('(["#34;#60;a#62;#35;\\#34;#34;"])');
  });
});

describe('key labels and bitfields', () => {
  it('shows printable keys as text, addresses as addresses, others as hex', () => {
    expect(defaultKeyLabel(new TextEncoder().encode('abc'))).toBe('"abc"');
    expect(defaultKeyLabel(Address.newId(1234n).bytes)).toBe('f01234');
    expect(defaultKeyLabel(Uint8Array.of(0xff, 0xff))).toBe('0xffff');
  });

  it('reads slots from a big-endian bitfield', () => {
    expect(occupiedSlots(Uint8Array.of())).toEqual([]);
    expect(occupiedSlots(Uint8Array.of(0b101))).toEqual([0, 2]);
    expect(occupiedSlots(Uint8Array.of(0x80, 0x00, 0x00, 0x01))).toEqual([0, 31]);
  });
});
