import { describe, expect, it } from 'vitest';
import { IDENTITY, identityCid } from '../ipld/cid.js';
import { CID } from 'multiformats/cid';
import { ActorRegistry, ActorRegistryError } from './registry.js';
import type { ActorCode } from '../runtime/runtime.js';

const nothing = { methods: new Map() } as unknown as ActorCode;
const code = (name: string): CID => identityCid(0x55, new TextEncoder().encode(`test/${name}`));

describe('ActorRegistry', () => {
  it('finds a registration by any CID object with the same bytes, and a code registered after a miss', () => {
    const r = new ActorRegistry();
    const a = code('a');
    expect(r.byCode(a)).toBeUndefined();
    expect(r.builtinType(a)).toBeUndefined();
    r.register({ code: a, name: 'a', builtin: true, actor: nothing });
    // The same object, asked before (a remembered miss), and an equal CID decoded afresh.
    expect(r.byCode(a)?.name).toBe('a');
    expect(r.builtinType(CID.decode(a.bytes))).toBe('a');
    expect(a.multihash.code).toBe(IDENTITY);
    expect(() => r.register({ code: CID.decode(a.bytes), name: 'b', builtin: false, actor: nothing })).toThrow(ActorRegistryError);
    const u = code('user');
    r.register({ code: u, name: 'user', builtin: false, actor: nothing });
    expect(r.byCode(u)?.name).toBe('user');
    expect(r.builtinType(u)).toBeUndefined();
  });
});
