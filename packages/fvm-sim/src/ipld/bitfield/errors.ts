import { FvmSimError } from '../../errors/base.js';

/**
 * What went wrong in a {@link BitFieldError}. The first four are fvm_ipld_bitfield's decode errors:
 *
 * - `BITFIELD_VERSION`: the 2-bit version is not `00` (`UnsupportedVersion`).
 * - `BITFIELD_NOT_MINIMAL`: the encoding is valid RLE+ but not the unique minimal one — a trailing
 *   zero byte, a trailing run of zeros, a run in a longer block than needed (`NotMinimal`).
 * - `BITFIELD_INVALID_VARINT`: a long block's varint is over-long, not minimal, or overflows u64
 *   (`InvalidVarint`).
 * - `BITFIELD_OVERFLOW`: the runs add up to more than 2^64 - 1 bits (`RLEOverflow`).
 *
 * and:
 *
 * - `BITFIELD_TOO_LARGE`: the encoding is longer than the 32 KiB the actors accept
 *   (`MAX_ENCODED_SIZE`), when decoding or encoding.
 * - `BITFIELD_POSITION`: a position is not an integer in 0..=2^53-1 — given as an argument, or
 *   present in a decoded bitfield that is valid RLE+ but reaches beyond what fvm-sim represents.
 * - `BITFIELD_INVALID`: any other invalid argument (a malformed range, run or JSON run list).
 */
export type BitFieldErrorCode =
  | 'BITFIELD_VERSION'
  | 'BITFIELD_NOT_MINIMAL'
  | 'BITFIELD_INVALID_VARINT'
  | 'BITFIELD_OVERFLOW'
  | 'BITFIELD_TOO_LARGE'
  | 'BITFIELD_POSITION'
  | 'BITFIELD_INVALID';

/** Thrown for invalid RLE+ encodings and invalid bitfield arguments. */
export class BitFieldError extends FvmSimError {
  declare readonly code: BitFieldErrorCode;

  constructor(code: BitFieldErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
