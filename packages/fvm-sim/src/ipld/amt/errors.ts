import { FvmSimError } from '../../errors/base.js';

/**
 * What went wrong in an {@link AmtError}:
 *
 * - `AMT_INDEX_OUT_OF_RANGE`: an index is not an integer in `0..=AMT_MAX_INDEX` (2^64 - 2).
 * - `AMT_BITWIDTH`: a bitwidth is not an integer in `1..=AMT_MAX_BITWIDTH`, or a loaded root's
 *   bitwidth differs from the one the caller expected.
 * - `AMT_MALFORMED`: a block that should be an AMT root or node does not have the go-amt-ipld v4 /
 *   `fvm_ipld_amt` shape (wrong tuple shape, bitmap of the wrong length, bitmap and item count
 *   disagree, links and values together, a leaf where links belong or the reverse, an empty
 *   non-root node, a height the bitwidth cannot address, a count the height cannot hold…).
 * - `AMT_VALUE`: `undefined` was given as a value (it has no dag-cbor form).
 * - `AMT_INDEX_NOT_FOUND`: a strict {@link Amt.batchDelete} met an index that is not set.
 */
export type AmtErrorCode = 'AMT_INDEX_OUT_OF_RANGE' | 'AMT_BITWIDTH' | 'AMT_MALFORMED' | 'AMT_VALUE' | 'AMT_INDEX_NOT_FOUND';

/** Thrown for invalid AMT indices and parameters and for malformed AMT blocks. */
export class AmtError extends FvmSimError {
  declare readonly code: AmtErrorCode;

  constructor(code: AmtErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
