import type { ActorRegistry } from '../engine/registry.js';
import { decodeCbor } from '../ipld/cbor.js';
import { exitCodeName } from '../primitives/exitCode.js';
import { formatFIL } from '../primitives/token.js';
import { describeFrame, show } from './format.js';
import type { TraceFrame } from './trace.js';

/** Options of {@link traceToMermaid}. */
export interface TraceToMermaidOptions {
  /** Resolve actor types and method names, and decode params/returns, with the registered actors' codecs. */
  readonly registry?: ActorRegistry;
  /** Show decoded params on call arrows and returns on return arrows (default true). */
  readonly showParams?: boolean;
  /** Show the gas each call used on its return arrow (default true). */
  readonly showGas?: boolean;
  /** Show the events each call emitted as notes (default true). */
  readonly showEvents?: boolean;
  /** Longest params/return/error text kept on an arrow or note before it is cut with `…` (default 60). */
  readonly maxTextLength?: number;
  /**
   * Label of an actor ID, when the trace cannot tell its type (the message's sender, which is never
   * a callee). Return undefined to keep the default label (`f0100`, or `f0101 account` for callees).
   */
  readonly label?: (id: bigint) => string | undefined;
}

/**
 * Renders a message's call tree as a Mermaid sequence diagram: one participant per actor, in the
 * order they first appear; a solid arrow per call (activating the callee) and a dashed arrow per
 * return (`--x` when the call aborted), with method names, values, decoded params and returns,
 * gas, and notes for events and abort messages. Paste the text into any Mermaid renderer
 * (GitHub Markdown, Jupyter, mermaid.live).
 *
 * @example
 * ```ts
 * const r = applyMessage(machine, msg);
 * console.log(traceToMermaid(r.trace!, { registry: machine.registry }));
 * // sequenceDiagram
 * //   participant a100 as f0100
 * //   participant a101 as f0101 account
 * //   a100->>+a101: Send · 1.5 FIL
 * //   a101-->>-a100: OK · gas 481,000
 * ```
 */
export function traceToMermaid(trace: TraceFrame, opts: TraceToMermaidOptions = {}): string {
  const participants = new Map<string, string>();
  const body: string[] = [];
  const participant = (id: bigint | undefined, fallback: string, type: string | undefined): string => {
    const key = id !== undefined ? `a${id}` : `x${fallback.replace(/[^A-Za-z0-9]/g, '')}`;
    if (!participants.has(key)) {
      const name = id !== undefined ? `f0${id}` : fallback;
      const custom = id !== undefined ? opts.label?.(id) : undefined;
      participants.set(key, escapeText(custom ?? (type ? `${name} ${type}` : name)));
    }
    return key;
  };
  // The sender is not a callee of its own message; a later frame that calls it may name its type.
  const typeOf = new Map<bigint, string>();
  collectTypes(trace, opts.registry, typeOf);
  participant(trace.from, `f0${trace.from}`, typeOf.get(trace.from));
  emit(trace, opts, body, participant, typeOf);
  const head = [...participants].map(([key, label]) => `  participant ${key} as ${label}`);
  return ['sequenceDiagram', ...head, ...body].join('\n');
}

type ParticipantFn = (id: bigint | undefined, fallback: string, type: string | undefined) => string;

function collectTypes(f: TraceFrame, registry: ActorRegistry | undefined, out: Map<bigint, string>): void {
  if (f.toId !== undefined && f.code && registry) {
    const reg = registry.byCode(f.code);
    if (reg && !out.has(f.toId)) out.set(f.toId, reg.name);
  }
  for (const c of f.subcalls) collectTypes(c, registry, out);
}

function emit(f: TraceFrame, opts: TraceToMermaidOptions, out: string[], participant: ParticipantFn, typeOf: Map<bigint, string>): void {
  const max = opts.maxTextLength ?? 60;
  const d = describeFrame(f, opts.registry);
  // The caller as recorded, not the parent frame's receiver: the system actor calls a new
  // account's constructor inside the message that created it.
  const caller = participant(f.from, `f0${f.from}`, typeOf.get(f.from));
  const callee = participant(f.toId, f.to.toString(), f.toId !== undefined ? typeOf.get(f.toId) : undefined);
  const call = [d.method];
  if (opts.showParams !== false && d.params !== undefined) call[0] = `${d.method}(${cut(show(d.params), max)})`;
  if (f.value !== 0n) call.push(`${formatFIL(f.value)} FIL`);
  if (f.readOnly) call.push('read-only');
  out.push(`  ${caller}->>+${callee}: ${escapeText(call.join(' · '))}`);
  if (opts.showEvents !== false) {
    for (const ev of f.events) {
      const text = ev.entries.map((e) => `${e.key}=${show(decodeValue(e.codec, e.value))}`).join(' ');
      out.push(`  Note over ${callee}: ${escapeText(`event ${cut(text, max)}`)}`);
    }
  }
  for (const c of f.subcalls) emit(c, opts, out, participant, typeOf);
  if (f.exitCode !== 0 && f.error) out.push(`  Note over ${callee}: ${escapeText(cut(f.error.split('\n')[0]!, max))}`);
  const ret = [f.exitCode === 0 ? 'OK' : `${exitCodeName(f.exitCode)} (${f.exitCode})`];
  if (f.exitCode === 0 && opts.showParams !== false && d.returns !== undefined) ret.push(`→ ${cut(show(d.returns), max)}`);
  if (opts.showGas !== false) ret.push(`gas ${Math.ceil(f.gasUsedMilligas / 1000).toLocaleString('en-US')}`);
  out.push(`  ${callee}${f.exitCode === 0 ? '-->>' : '--x'}-${caller}: ${escapeText(ret.join(' · '))}`);
}

/** An event value: decoded when its codec is CBOR (0x51) or dag-cbor (0x71), else the raw bytes. */
function decodeValue(codec: number, bytes: Uint8Array): unknown {
  if (codec !== 0x51 && codec !== 0x71) return bytes;
  try {
    return decodeCbor(bytes);
  } catch {
    return bytes;
  }
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Escapes text for a Mermaid participant label, message or note: `#` and `;` start entity codes and
 * statements, `<`/`>` would be read as HTML, and a newline ends the line.
 */
function escapeText(s: string): string {
  return s.replace(/[#;<>]|\r?\n/g, (ch) => (ch.endsWith('\n') ? ' ' : `#${ch.charCodeAt(0)};`));
}
