import { decodeCbor } from '../ipld/cbor.js';
import type { ActorRegistry } from '../engine/registry.js';
import { exitCodeName } from '../primitives/exitCode.js';
import { formatFIL } from '../primitives/token.js';
import type { TraceFrame } from './trace.js';

/** Options of {@link formatTrace}. */
export interface FormatTraceOptions {
  /** Resolve method names and decode params/returns with the registered actors' codecs. */
  readonly registry?: ActorRegistry;
  /** Show decoded params and returns (default true). */
  readonly showParams?: boolean;
  /** Show gas per frame (default true). */
  readonly showGas?: boolean;
}

/** Method name and decoded values of a frame, when its actor describes the method. */
export function describeFrame(frame: TraceFrame, registry?: ActorRegistry): { actor?: string; method: string; params?: unknown; returns?: unknown } {
  const reg = frame.code && registry ? registry.byCode(frame.code) : undefined;
  const desc = reg?.actor.describe?.(frame.method);
  const method = frame.method === 0 ? 'Send' : (desc?.name ?? `method ${frame.method}`);
  const out: { actor?: string; method: string; params?: unknown; returns?: unknown } = { method };
  if (reg) out.actor = reg.name;
  if (frame.params !== null) out.params = tryDecode(frame.params, desc?.params);
  if (frame.returnData !== null) out.returns = tryDecode(frame.returnData, desc?.returns);
  return out;
}

function tryDecode(bytes: Uint8Array, codec?: { fromCbor(raw: unknown): unknown }): unknown {
  try {
    const raw = decodeCbor(bytes);
    return codec ? codec.fromCbor(raw) : raw;
  } catch {
    return bytes;
  }
}

/** Renders a value compactly for a trace line. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return v.length <= 16 ? `0x${Buffer.from(v).toString('hex')}` : `0x${Buffer.from(v.subarray(0, 12)).toString('hex')}…(${v.length} bytes)`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'object') {
    const s = (v as { toString?: () => string }).toString?.();
    if (s && s !== '[object Object]') return s;
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Renders a call tree as indented text for people.
 *
 * @example
 * ```text
 * f0100 → f05 market.PublishStorageDeals value 0 FIL ✓ OK gas 12,345,678
 * ├─ f05 → f0101 account.AuthenticateMessage ✓ OK
 * └─ f05 → f04 power.CurrentTotalPower (read-only) ✓ OK
 * ```
 */
export function formatTrace(frame: TraceFrame, opts: FormatTraceOptions = {}): string {
  const lines: string[] = [];
  walk(frame, '', '', lines, opts);
  return lines.join('\n');
}

function walk(f: TraceFrame, head: string, tail: string, lines: string[], opts: FormatTraceOptions): void {
  const d = describeFrame(f, opts.registry);
  const to = f.toId !== undefined ? `f0${f.toId}` : f.to.toString();
  const target = d.actor ? `${to} ${d.actor}.${d.method}` : `${to} ${d.method}`;
  const ok = f.exitCode === 0 ? '✓ OK' : `✗ ${exitCodeName(f.exitCode)} (${f.exitCode})`;
  const parts = [`${head}f0${f.from} → ${target}`];
  if (f.value !== 0n) parts.push(`value ${formatFIL(f.value)} FIL`);
  if (f.readOnly) parts.push('(read-only)');
  if (opts.showParams !== false && d.params !== undefined) parts.push(`params ${show(d.params)}`);
  parts.push(ok);
  if (opts.showParams !== false && d.returns !== undefined) parts.push(`→ ${show(d.returns)}`);
  if (opts.showGas !== false) parts.push(`gas ${Math.ceil(f.gasUsedMilligas / 1000).toLocaleString('en-US')}`);
  lines.push(parts.join(' '));
  if (f.exitCode !== 0 && f.error) lines.push(`${tail}   ! ${f.error.split('\n')[0]}`);
  for (const ev of f.events) lines.push(`${tail}   ⚑ event ${ev.entries.map((e) => `${e.key}=${show(tryDecode(e.value))}`).join(' ')}`);
  f.subcalls.forEach((c, i) => {
    const last = i === f.subcalls.length - 1;
    walk(c, `${tail}${last ? '└─ ' : '├─ '}`, `${tail}${last ? '   ' : '│  '}`, lines, opts);
  });
}
