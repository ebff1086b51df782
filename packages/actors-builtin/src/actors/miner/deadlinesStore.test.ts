import { CID, MemoryBlockstore, cborCid, encodeWith, identityCid, putWith, stateCacheVerification } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { DeadlinesStore } from './deadlinesStore.js';
import { loadDeadlines, saveDeadlines } from './state.js';
import { Deadlines } from './types.js';

const link = (i: number) => cborCid(new Uint8Array([i, i >> 8, 7]));

/** What saving `due` must give: the table encoded in full. */
function expectedCid(due: readonly CID[]): CID {
  return cborCid(encodeWith(Deadlines, { due: [...due] }));
}

/** A table of `n` deadlines stored in `store` and loaded back, as the miner loads it. */
function loaded(store: MemoryBlockstore, due: CID[]): DeadlinesStore {
  const st = { deadlines: putWith(store, Deadlines, { due }) } as Parameters<typeof loadDeadlines>[1];
  return loadDeadlines(store, st);
}

describe('DeadlinesStore.save writes changed links over the block it came from', () => {
  it('gives the bytes and CID of a full encoding, load after load, for 48 and for 7 deadlines', () => {
    // The suite runs with state-cache verification on: putEncodedWith compares the patched bytes
    // with a full encoding and throws on a difference.
    expect(stateCacheVerification()).toBe(true);
    for (const n of [48, 7]) {
      const store = new MemoryBlockstore();
      let table = loaded(store, Array.from({ length: n }, (_, i) => link(i)));
      for (let round = 0; round < 5; round++) {
        // Change one link, two links, then none.
        table.due[(round * 5) % n] = link(1000 + round);
        if (round % 2 === 1) table.due[(round * 3 + 1) % n] = link(2000 + round);
        const cid = table.save(store);
        expect(cid.equals(expectedCid(table.due))).toBe(true);
        expect([...store.get(cid)!]).toEqual([...encodeWith(Deadlines, { due: [...table.due] })]);
        // Saved twice in a row: the same block.
        expect(table.save(store).equals(cid)).toBe(true);
        // Changed again and saved without a reload: patched over the block saved last.
        table.due[(round * 7 + 2) % n] = link(3000 + round);
        expect(table.save(store).equals(expectedCid(table.due))).toBe(true);
        table = loaded(store, [...table.due]);
      }
    }
  });

  it('encodes in full when a link does not have the 38-byte form, before or after', () => {
    const store = new MemoryBlockstore();
    const odd = identityCid(0x55, new Uint8Array([1, 2, 3]));
    const table = loaded(store, Array.from({ length: 48 }, (_, i) => link(i)));
    table.due[3] = odd; // a changed link of another length
    const a = table.save(store);
    expect(a.equals(expectedCid(table.due))).toBe(true);
    // The source now holds a link of another length: the next save encodes in full again.
    table.due[9] = link(77);
    const b = table.save(store);
    expect(b.equals(expectedCid(table.due))).toBe(true);
    expect(loadDeadlines(store, { deadlines: b } as Parameters<typeof loadDeadlines>[1]).due[3]!.equals(odd)).toBe(true);
  });

  it('saveDeadlines points the state at the saved table, and a table built in memory saves in full', () => {
    const store = new MemoryBlockstore();
    const fresh = new DeadlinesStore(Array.from({ length: 48 }, (_, i) => link(i)));
    const st = { deadlines: link(9999) } as Parameters<typeof saveDeadlines>[1];
    saveDeadlines(store, st, fresh);
    expect(st.deadlines.equals(expectedCid(fresh.due))).toBe(true);
    const back = loadDeadlines(store, st);
    expect(back.due.map((c) => c.toString())).toEqual(fresh.due.map((c) => c.toString()));
  });
});
