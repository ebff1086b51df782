import { Address, Hamt, formatFIL } from 'fvm-sim';
import type { Devnet } from '@fvm-sim/actors-builtin';
import { esc } from './svg.js';

/** One column of an {@link htmlTable}. */
export interface Column<T> {
  /** Header text. */
  readonly header: string;
  /** The cell of a row. */
  readonly value: (row: T) => unknown;
  /** Alignment (default: right for `bigint` and `number` cells, left for others). */
  readonly align?: 'left' | 'right';
}

/** Options of {@link htmlTable}. */
export interface HtmlTableOptions {
  /** Caption above the table. */
  readonly caption?: string;
}

/**
 * An HTML table (for notebooks: `tslab.display.html(htmlTable(…))`). Cells are escaped; numbers
 * and bigints are right-aligned unless the column says otherwise; `null`/`undefined` show as empty cells.
 *
 * @example
 * ```ts
 * htmlTable([{ name: 'alice', balance: 5n }], [{ header: 'name', value: (r) => r.name }, { header: 'balance', value: (r) => r.balance }]);
 * ```
 */
export function htmlTable<T>(rows: readonly T[], columns: readonly Column<T>[], opts: HtmlTableOptions = {}): string {
  const out = ['<table>'];
  if (opts.caption) out.push(`<caption>${esc(opts.caption)}</caption>`);
  out.push(`<thead><tr>${columns.map((c) => `<th>${esc(c.header)}</th>`).join('')}</tr></thead>`);
  out.push('<tbody>');
  for (const row of rows) {
    const cells = columns.map((c) => {
      const v = c.value(row);
      const right = c.align ? c.align === 'right' : typeof v === 'bigint' || typeof v === 'number';
      return `<td${right ? ' style="text-align:right"' : ''}>${v === null || v === undefined ? '' : esc(String(v))}</td>`;
    });
    out.push(`<tr>${cells.join('')}</tr>`);
  }
  out.push('</tbody>', '</table>');
  return out.join('\n');
}

/** One row of {@link actorRows}: an actor record of the state tree. */
export interface ActorRow {
  /** Actor ID (`f0…`). */
  readonly id: bigint;
  /** Robust address from Init's address map (f1/f2/f3/f4), if the actor has one. */
  readonly address: Address | undefined;
  /** Actor type: the registered name of its code CID (`'account'`, `'reward'`, …). */
  readonly type: string;
  /** Balance in attoFIL. */
  readonly balance: bigint;
  /** Nonce. */
  readonly nonce: bigint;
  /** Root CID of the actor's own state. */
  readonly head: string;
}

/**
 * Every actor record of a devnet's state tree, by ID, with its robust address looked up in
 * reverse in Init's address map.
 */
export function actorRows(net: Devnet): ActorRow[] {
  const tree = net.machine.tree;
  const robust = new Map<bigint, Address>();
  const map = Hamt.load(net.machine.store, tree.initState().addressMap, 5);
  for (const [key, id] of map.entries()) robust.set(BigInt(id as number | bigint), Address.fromBytes(key));
  const rows: ActorRow[] = [];
  for (const [id, a] of tree.actors()) {
    rows.push({
      id,
      address: robust.get(id),
      type: net.machine.registry.byCode(a.code)?.name ?? a.code.toString(),
      balance: a.balance,
      nonce: a.sequence,
      head: a.head.toString(),
    });
  }
  return rows.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/** The actor records of a devnet as an HTML table: ID, robust address, type, balance (FIL), nonce, state root. */
export function actorsTable(net: Devnet, opts: HtmlTableOptions & { readonly shortHeads?: boolean } = {}): string {
  const short = opts.shortHeads ?? true;
  return htmlTable(actorRows(net), [
    { header: 'ID', value: (r) => `f0${r.id}` },
    { header: 'robust address', value: (r) => r.address?.toString() },
    { header: 'type', value: (r) => r.type },
    { header: 'balance (FIL)', value: (r) => formatFIL(r.balance), align: 'right' },
    { header: 'nonce', value: (r) => r.nonce },
    { header: 'state root (head)', value: (r) => (short ? `${r.head.slice(0, 12)}…${r.head.slice(-6)}` : r.head) },
  ], opts);
}
