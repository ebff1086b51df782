import { describe, expect, it } from 'vitest';
import { CodecError, address, array, decodeWith, tuple, u64 } from './codec.js';
import { encodeCbor } from './cbor.js';

describe('codec error messages', () => {
  it('render rejected values holding bigints without throwing (found by the reliability fuzzer)', () => {
    // [2^53] where a 2-field tuple is expected: the message must mention the value, not throw a TypeError.
    const bytes = encodeCbor([2n ** 53n]);
    const codec = tuple({ a: u64, b: address });
    expect(() => decodeWith(codec, bytes)).toThrow(CodecError);
    expect(() => decodeWith(codec, bytes)).toThrow('expected tuple of 2 fields, got ["9007199254740992n"]');
    expect(() => decodeWith(array(u64), encodeCbor({ a: 2n ** 60n }))).toThrow('expected array of u64, got {"a":"1152921504606846976n"}');
  });
});
