import { describe, expect, it } from 'vitest';
import { exportCar, importCar, reachableBlocks, CarError } from './car.js';
import { MemoryBlockstore, putCbor, getCbor } from './blockstore.js';
import { Hamt } from './hamt/index.js';

describe('CAR export', () => {
  it('round-trips every block reachable from a root, and only those', () => {
    const bs = new MemoryBlockstore();
    const h = Hamt.empty<number>(bs);
    for (let i = 0; i < 200; i++) h.set(Uint8Array.of(i, i >> 8), i);
    const hamtRoot = h.flush();
    putCbor(bs, ['garbage not reachable']);
    const root = putCbor(bs, { hamt: hamtRoot, n: 1 });
    const reachable = [...reachableBlocks(bs, root)];
    expect(reachable[0]!.cid.equals(root)).toBe(true);
    expect(reachable.length).toBeLessThan(bs.size);
    const car = exportCar(bs, root);
    const { store, roots } = importCar(car);
    expect(roots.map(String)).toEqual([root.toString()]);
    expect(store.size).toBe(reachable.length);
    const back = Hamt.load<number>(store, (getCbor(store, root) as { hamt: typeof hamtRoot }).hamt);
    expect(back.get(Uint8Array.of(150, 0))).toBe(150);
    expect(() => importCar(Uint8Array.of(1, 2, 3))).toThrow(CarError);
  });
});
