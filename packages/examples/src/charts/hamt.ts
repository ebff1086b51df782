import { Address, type Blockstore, type CID, getCbor } from 'fvm-sim';

/** Options of {@link hamtToMermaid}. */
export interface HamtToMermaidOptions {
  /** Bits of the key hash per level: 2^bitwidth slots per node (default 5, as every Filecoin state HAMT). */
  readonly bitwidth?: number;
  /** Label of a key (default: {@link defaultKeyLabel}). */
  readonly keyLabel?: (key: Uint8Array) => string;
  /** Label of a value, shown after the key (default: none). */
  readonly valueLabel?: (value: unknown) => string;
  /** Stop drawing after this many nodes and buckets (default 60); the rest is summarised. */
  readonly maxShapes?: number;
}

/** What a HAMT looks like: its nodes, buckets and entries by depth. */
export interface HamtShape {
  /** Nodes (blocks) in the HAMT, root included. */
  readonly nodes: number;
  /** Buckets (slots holding entries inline). */
  readonly buckets: number;
  /** Entries. */
  readonly entries: number;
  /** Deepest level with a node (root = 0). */
  readonly depth: number;
}

type RawNode = [Uint8Array, Array<CID | Array<[Uint8Array, unknown]>>];

/** The slots set in a node's bitfield, ascending (bit i = slot i, bytes big-endian). */
export function occupiedSlots(bitfield: Uint8Array): number[] {
  let v = 0n;
  for (const b of bitfield) v = (v << 8n) | BigInt(b);
  const out: number[] = [];
  for (let i = 0; v >> BigInt(i) !== 0n; i++) if ((v >> BigInt(i)) & 1n) out.push(i);
  return out;
}

/** A key as text when it is printable ASCII, as an address when it parses as one, else hex. */
export function defaultKeyLabel(key: Uint8Array): string {
  if (key.length > 0 && key.every((b) => b >= 0x20 && b < 0x7f)) return JSON.stringify(String.fromCharCode(...key));
  try {
    return Address.fromBytes(key).toString();
  } catch {
    return `0x${Buffer.from(key).toString('hex')}`;
  }
}

/** Counts the nodes, buckets and entries of a HAMT stored in the go-hamt-ipld v3 format. */
export function hamtShape(store: Blockstore, root: CID): HamtShape {
  let nodes = 0;
  let buckets = 0;
  let entries = 0;
  let depth = 0;
  const visit = (cid: CID, d: number) => {
    nodes++;
    depth = Math.max(depth, d);
    for (const p of getCbor<RawNode>(store, cid)[1]) {
      if (Array.isArray(p)) {
        buckets++;
        entries += p.length;
      } else visit(p, d + 1);
    }
  };
  visit(root, 0);
  return { nodes, buckets, entries, depth };
}

/**
 * Draws a HAMT (go-hamt-ipld v3 blocks) as a Mermaid flowchart: each node is a box with its CID
 * and how many of its 2^bitwidth slots are used; each used slot is an edge labelled with the slot
 * index, to a child node (a link) or to a bucket of up to 3 entries stored inline.
 *
 * @example
 * ```ts
 * const h = Hamt.empty(store); for (const k of ['a', 'b']) h.set(utf8(k), 1);
 * console.log(hamtToMermaid(store, h.flush()));
 * ```
 */
export function hamtToMermaid(store: Blockstore, root: CID, opts: HamtToMermaidOptions = {}): string {
  const width = 2 ** (opts.bitwidth ?? 5);
  const keyLabel = opts.keyLabel ?? defaultKeyLabel;
  const max = opts.maxShapes ?? 60;
  const lines = ['graph TD'];
  let shapes = 0;
  let skipped = 0;
  const visit = (cid: CID, name: string) => {
    const [bitfield, pointers] = getCbor<RawNode>(store, cid);
    const slots = occupiedSlots(bitfield);
    const c = cid.toString();
    lines.push(`  ${name}["node ${c.slice(0, 8)}…${c.slice(-4)}<br/>${pointers.length} of ${width} slots"]`);
    pointers.forEach((p, i) => {
      const child = `${name}_${slots[i]}`;
      if (shapes >= max) {
        skipped++;
        return;
      }
      shapes++;
      if (Array.isArray(p)) {
        const text = p.map(([k, v]) => mermaidText(opts.valueLabel ? `${keyLabel(k)} → ${opts.valueLabel(v)}` : keyLabel(k))).join('<br/>');
        lines.push(`  ${child}(["${text}"])`);
      } else {
        visit(p, child);
      }
      lines.push(`  ${name} -->|${slots[i]}| ${child}`);
    });
  };
  shapes++;
  visit(root, 'n');
  if (skipped > 0) lines.push(`  more["… ${skipped} more slots not drawn"]`);
  return lines.join('\n');
}

/** Escapes text for a quoted Mermaid flowchart label: `#`, `"`, `<` and `>` as entity codes. */
function mermaidText(s: string): string {
  return s.replace(/[#"<>]/g, (ch) => `#${ch.charCodeAt(0)};`);
}
