import { codec as c, type Infer } from 'fvm-sim';

/** FilterEstimate `[position, velocity]`, both Q.128 BigInts (builtin-actors smooth). */
export const FilterEstimateCodec = c.tuple({ position: c.bigint, velocity: c.bigint }, 'FilterEstimate');

/** One failure of a batch: `[idx, code]`. */
export const FailCode = c.tuple({ idx: c.uint, code: c.uint }, 'FailCode');
/** BatchReturn `[success_count, fail_codes]` (builtin-actors `runtime/src/util/batch_return.rs`). */
export const BatchReturn = c.tuple({ successCount: c.uint, failCodes: c.array(FailCode) }, 'BatchReturn');
export type BatchReturn = Infer<typeof BatchReturn>;

/** Builds BatchReturns in order, as builtin-actors' `BatchReturnGen`. */
export class BatchReturnGen {
  private success = 0;
  private readonly fails: { idx: number; code: number }[] = [];
  private n = 0;
  constructor(readonly expected: number) {}
  addSuccess(): void {
    this.success++;
    this.n++;
  }
  addFail(code: number): void {
    this.fails.push({ idx: this.n, code });
    this.n++;
  }
  gen(): BatchReturn {
    if (this.n !== this.expected) throw new Error(`BatchReturnGen: ${this.n} results for ${this.expected} items`);
    return { successCount: this.success, failCodes: this.fails };
  }
}
