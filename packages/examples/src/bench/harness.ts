/**
 * A small benchmark harness: competitors of one group are calibrated, warmed up, then sampled in
 * interleaved rounds (A B C, A B C, …) so that a noisy neighbour slows every competitor of a round
 * alike. Each figure is the median over rounds; each ratio is the median of the per-round ratios.
 *
 * @module
 */

/** One thing to measure: `run(n)` does `n` operations. */
export interface Competitor {
  readonly name: string;
  /** What one operation is, for the table. */
  readonly note?: string;
  run(n: number): void | Promise<void>;
}

/** Options of {@link compare}. */
export interface CompareOptions {
  /** Time to spend warming each competitor up before calibration, ms (default 300). */
  readonly warmupMs?: number;
  /** Target duration of one sample, ms (default 150). */
  readonly sampleMs?: number;
  /** Number of interleaved rounds (default 7). */
  readonly rounds?: number;
}

/** What {@link compare} measured for one competitor. */
export interface CompetitorResult {
  readonly name: string;
  readonly note?: string;
  /** Operations per sample. */
  readonly batch: number;
  /** Operations per second, one per round. */
  readonly samples: number[];
  /** Median operations per second. */
  readonly opsPerSec: number;
  /** (max − min) / median of the samples, a noise indicator. */
  readonly spread: number;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timed(run: (n: number) => void | Promise<void>, n: number): Promise<number> {
  const t0 = performance.now();
  await run(n);
  return performance.now() - t0;
}

/** Runs `c` with growing batches for about `ms` milliseconds; returns its rate in ops/ms. */
async function warm(c: Competitor, ms: number): Promise<number> {
  let n = 1;
  let spent = 0;
  let rate = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    spent = await timed((k) => c.run(k), n);
    rate = n / Math.max(spent, 0.01);
    if (spent < ms / 8) n *= 2;
  }
  return rate;
}

/**
 * Measures every competitor in interleaved rounds.
 *
 * @returns one result per competitor, in order.
 */
export async function compare(competitors: readonly Competitor[], opts: CompareOptions = {}): Promise<CompetitorResult[]> {
  const warmupMs = opts.warmupMs ?? 300;
  const sampleMs = opts.sampleMs ?? 150;
  const rounds = opts.rounds ?? 7;
  const batches: number[] = [];
  for (const c of competitors) batches.push(Math.max(1, Math.round((await warm(c, warmupMs)) * sampleMs)));
  const samples: number[][] = competitors.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < competitors.length; i++) {
      const ms = await timed((k) => competitors[i]!.run(k), batches[i]!);
      samples[i]!.push((batches[i]! / ms) * 1000);
    }
  }
  return competitors.map((c, i) => {
    const s = samples[i]!;
    const med = median(s);
    return { name: c.name, ...(c.note ? { note: c.note } : {}), batch: batches[i]!, samples: s, opsPerSec: med, spread: (Math.max(...s) - Math.min(...s)) / med };
  });
}

/** Median over rounds of `a.samples[r] / b.samples[r]`. */
export function pairedRatio(a: CompetitorResult, b: CompetitorResult): number {
  return median(a.samples.map((x, r) => x / b.samples[r]!));
}

/** Times one call of `fn` (ms). */
export async function timeOnce<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Runs the garbage collector when node was started with `--expose-gc`; returns whether it could. */
export function gc(): boolean {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) return false;
  g();
  g();
  return true;
}

/** Heap plus off-heap buffers in use, bytes (after a GC when available). */
export function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Tracks the peak RSS and heap while something runs (sampled every `everyMs`). */
export class PeakMemory {
  peakRss = 0;
  peakHeap = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  start(everyMs = 50): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    return this;
  }
  sample(): void {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
  }
  stop(): this {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return this;
  }
}
