import { describe, expect, it } from 'vitest';
import { applyMessage } from '../engine/executor.js';
import * as c from '../ipld/codec.js';
import { encodeWith } from '../ipld/codec.js';
import { Address } from '../primitives/address.js';
import { ExitCode } from '../primitives/exitCode.js';
import { ProbeCallParams, ProbeMethod, createTestMachine } from '../testing/fixtures.js';
import { traceToMermaid } from './mermaid.js';
import type { TraceFrame } from './trace.js';

const FIL = 10n ** 18n;
const alice = Address.newSecp256k1(new Uint8Array(65).fill(1).map((v, i) => (i === 0 ? 4 : (v + i) % 251)));

function frame(over: Partial<TraceFrame> & Pick<TraceFrame, 'from' | 'to'>): TraceFrame {
  return { toId: undefined, code: undefined, method: 0, value: 0n, params: null, readOnly: false, exitCode: 0, returnData: null, gasUsedMilligas: 0, events: [], subcalls: [], ...over };
}

describe('traceToMermaid', () => {
  it('draws a nested call with an aborted subcall, events and returns', () => {
    const t = createTestMachine();
    t.addAccount(alice, 10n * FIL);
    const p1 = t.addProbe();
    const p2 = t.addProbe();
    const inner = encodeWith(ProbeCallParams, { to: Address.newId(p2), method: ProbeMethod.Abort, params: encodeWith(c.uint, ExitCode.USR_FORBIDDEN), value: 0n, abortWith: 0 });
    const outer = encodeWith(ProbeCallParams, { to: Address.newId(p1), method: ProbeMethod.Call, params: inner, value: 0n, abortWith: 0 });
    const r = applyMessage(t.machine, { from: alice, to: Address.newId(p1), nonce: 0n, value: 2n * FIL, method: ProbeMethod.Call, params: outer, gasLimit: 10_000_000n, gasFeeCap: 200n, gasPremium: 50n });
    expect(traceToMermaid(r.trace!, { registry: t.registry, showGas: false })).toBe([
      'sequenceDiagram',
      '  participant a100 as f0100',
      '  participant a1000 as f01000 probe',
      '  participant a1001 as f01001 probe',
      '  a100->>+a1000: Call({to: f01000, method: 2, params: 0x854300e9070341124000, val…) · 2 FIL',
      '  a1000->>+a1000: Call({to: f01001, method: 3, params: 0x12, value: 0, abortWith: …)',
      '  a1000->>+a1001: Abort(18)',
      '  Note over a1001: USR_FORBIDDEN: aborted on request',
      '  a1001--x-a1000: USR_FORBIDDEN (18)',
      '  a1000-->>-a1000: OK · → {exitCode: 18, returnData: null}',
      '  a1000-->>-a100: OK · → {exitCode: 0, returnData: 0x8212f6}',
    ].join('\n'));
    // Without a registry: method numbers, no types; the sender labelled by the caller.
    expect(traceToMermaid(r.trace!, { showParams: false, showGas: false, label: (id) => (id === 100n ? 'alice' : undefined) })).toBe([
      'sequenceDiagram',
      '  participant a100 as alice',
      '  participant a1000 as f01000',
      '  participant a1001 as f01001',
      '  a100->>+a1000: method 2 · 2 FIL',
      '  a1000->>+a1000: method 2',
      '  a1000->>+a1001: method 3',
      '  Note over a1001: USR_FORBIDDEN: aborted on request',
      '  a1001--x-a1000: USR_FORBIDDEN (18)',
      '  a1000-->>-a1000: OK',
      '  a1000-->>-a100: OK',
    ].join('\n'));
  });

  it('draws each call from its recorded caller (the system actor constructing a new account)', () => {
    const root = frame({
      from: 100n, to: Address.newId(105n), toId: 105n, value: 2n * FIL,
      subcalls: [frame({ from: 0n, to: Address.newId(105n), toId: 105n, method: 1 })],
    });
    expect(traceToMermaid(root, { showGas: false })).toBe([
      'sequenceDiagram',
      '  participant a100 as f0100',
      '  participant a105 as f0105',
      '  participant a0 as f00',
      '  a100->>+a105: Send · 2 FIL',
      '  a0->>+a105: method 1',
      '  a105-->>-a0: OK',
      '  a105-->>-a100: OK',
    ].join('\n'));
  });

  it('shows gas in gas units, rounded up from milligas', () => {
    const root = frame({ from: 100n, to: Address.newId(101n), toId: 101n, gasUsedMilligas: 1_234_001 });
    expect(traceToMermaid(root)).toBe(['sequenceDiagram', '  participant a100 as f0100', '  participant a101 as f0101', '  a100->>+a101: Send', '  a101-->>-a100: OK · gas 1,235'].join('\n'));
  });

  it('draws unresolved receivers by address, read-only calls, events, and escapes Mermaid syntax', () => {
    const f1 = Address.newSecp256k1(new Uint8Array(65).fill(7));
    const cbor = (bytes: number[]) => Uint8Array.from(bytes);
    const root = frame({
      from: 100n, to: Address.newId(1000n), toId: 1000n, method: 5,
      events: [
        { emitter: 1000n, entries: [{ flags: 3, key: 'k;#', codec: 0x51, value: cbor([0x63, 0x3c, 0x61, 0x3e]) }] }, // CBOR text "<a>"
        { emitter: 1000n, entries: [{ flags: 3, key: 'raw', codec: 0x55, value: cbor([0x68, 0x69]) }] },
      ],
      subcalls: [
        frame({ from: 1000n, to: f1, method: 0, value: 1n, exitCode: ExitCode.SYS_INVALID_RECEIVER, error: 'no actor;\nsecond line' }),
        frame({ from: 1000n, to: Address.newId(4n), toId: 4n, method: 7, readOnly: true, exitCode: 33 }),
      ],
    });
    expect(traceToMermaid(root, { showGas: false })).toBe([
      'sequenceDiagram',
      '  participant a100 as f0100',
      '  participant a1000 as f01000',
      `  participant x${f1.toString()} as ${f1.toString()}`,
      '  participant a4 as f04',
      '  a100->>+a1000: method 5',
      '  Note over a1000: event k#59;#35;="#60;a#62;"',
      '  Note over a1000: event raw=0x6869',
      `  a1000->>+x${f1.toString()}: Send · 0.000000000000000001 FIL`,
      `  Note over x${f1.toString()}: no actor#59;`,
      `  x${f1.toString()}--x-a1000: SYS_INVALID_RECEIVER (${ExitCode.SYS_INVALID_RECEIVER})`,
      '  a1000->>+a4: method 7 · read-only',
      '  a4--x-a1000: EXIT_CODE(33) (33)',
      '  a1000-->>-a100: OK',
    ].join('\n'));
    expect(traceToMermaid(root, { showGas: false, showEvents: false })).not.toContain('Note over a1000');
  });

  it('cuts long params and returns at maxTextLength', () => {
    const root = frame({ from: 100n, to: Address.newId(101n), toId: 101n, method: 2, params: Uint8Array.from([0x64, 0x61, 0x62, 0x63, 0x64]), returnData: Uint8Array.from([0x1a, 0x00, 0x01, 0x86, 0xa0]) });
    expect(traceToMermaid(root, { showGas: false, maxTextLength: 3 })).toBe(['sequenceDiagram', '  participant a100 as f0100', '  participant a101 as f0101', '  a100->>+a101: method 2("a…)', '  a101-->>-a100: OK · → 10…'].join('\n'));
  });
});
