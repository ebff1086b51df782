/**
 * Filecoin's RLE+ bitfield (go-bitfield / `fvm_ipld_bitfield` format).
 *
 * @module
 */
export { BitField, type BitFieldCodecOptions, type BitFieldRange, type BitFieldRun } from './bitfield.js';
export { BitFieldError, type BitFieldErrorCode } from './errors.js';
export { BITFIELD_MAX_ENCODED_SIZE, BITFIELD_MAX_POSITION } from './rleplus.js';
