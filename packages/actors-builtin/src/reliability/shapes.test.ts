import { codec as c, decodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { NO_WITNESS, decodes, learnShape, witnessBytes } from './shapes.js';

describe('learnShape', () => {
  it('finds tuple arity, field kinds and nested lists, and a witness the codec accepts', () => {
    const codec = c.tuple({ a: c.u64, who: c.address, items: c.array(c.tuple({ x: c.bigint, s: c.string })), flag: c.bool }, 'T');
    const s = learnShape(codec as never);
    expect(s.tuples).toHaveLength(1);
    const [a, who, items, flag] = s.tuples[0]!;
    expect(a!.leaves).toEqual([1, 0, 2, (1n << 64n) - 1n]);
    expect(who!.leaves.every((l) => l instanceof Uint8Array)).toBe(true);
    expect(items!.list?.tuples[0]).toHaveLength(2);
    expect(flag!.leaves).toEqual([true]);
    expect(decodes(codec as never, witnessBytes(s))).toBe(true);
    expect(decodeWith(codec, witnessBytes(s)!).items).toHaveLength(1);
  });

  it('sees unit, nullable and opaque codecs', () => {
    expect(learnShape(c.unit as never).leaves).toEqual([null]);
    expect(learnShape(c.nullable(c.u64) as never).leaves).toContain(null);
    expect(learnShape(c.any as never).opaque).toBe(true);
  });

  it('reports no witness for a codec nothing satisfies', () => {
    const never = c.refine(c.u64, () => 'never');
    expect(learnShape(never as never).witness).toBe(NO_WITNESS);
  });
});
