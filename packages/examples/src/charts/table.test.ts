import { createDevnet } from '@fvm-sim/actors-builtin';
import { FIL } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { mermaidBlock, mermaidLiveUrl } from './mermaid.js';
import { actorRows, actorsTable, htmlTable } from './table.js';

describe('htmlTable', () => {
  it('escapes cells, right-aligns numbers, leaves missing cells empty', () => {
    const rows = [{ name: 'a<b', n: 5n, note: undefined }, { name: 'c', n: 12, note: 'x & y' }];
    expect(htmlTable(rows, [{ header: 'name', value: (r) => r.name }, { header: 'n', value: (r) => r.n }, { header: 'note', value: (r) => r.note, align: 'right' }], { caption: 'T' })).toBe([
      '<table>',
      '<caption>T</caption>',
      '<thead><tr><th>name</th><th>n</th><th>note</th></tr></thead>',
      '<tbody>',
      '<tr><td>a&lt;b</td><td style="text-align:right">5</td><td style="text-align:right"></td></tr>',
      '<tr><td>c</td><td style="text-align:right">12</td><td style="text-align:right">x &amp; y</td></tr>',
      '</tbody>',
      '</table>',
    ].join('\n'));
  });
});

describe('actorRows', () => {
  it('lists every actor with its type and robust address', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(7) }] });
    const [alice] = net.genesisAccounts;
    const rows = actorRows(net);
    const mine = rows.find((r) => r.id === alice!.id)!;
    expect({ ...mine, address: mine.address?.toString() }).toMatchObject({ address: alice!.address.toString(), type: 'account', balance: FIL(7), nonce: 0n });
    expect(rows.find((r) => r.id === 2n)).toMatchObject({ type: 'reward', address: undefined });
    expect(rows.slice(0, 3).map((r) => [r.id, r.type])).toEqual([[0n, 'system'], [1n, 'init'], [2n, 'reward']]);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const html = actorsTable(net);
    expect(html).toContain(`<tr><td>f0${alice!.id}</td><td>${alice!.address.toString()}</td><td>account</td><td style="text-align:right">7</td><td style="text-align:right">0</td>`);
  });
});

describe('mermaid helpers', () => {
  it('fences a diagram and links it to the live editor', () => {
    expect(mermaidBlock('graph TD\n  a-->b')).toBe('```mermaid\ngraph TD\n  a-->b\n```');
    const url = mermaidLiveUrl('graph TD\n  a-->b');
    expect(url.startsWith('https://mermaid.live/edit#base64:')).toBe(true);
    expect(JSON.parse(Buffer.from(url.split('base64:')[1]!, 'base64').toString('utf8'))).toEqual({ code: 'graph TD\n  a-->b', mermaid: { theme: 'default' } });
  });
});
