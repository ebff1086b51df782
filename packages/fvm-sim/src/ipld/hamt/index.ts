/**
 * Filecoin's HAMT (go-hamt-ipld v3 / `fvm_ipld_hamt` format).
 *
 * @module
 */
export { Hamt, HAMT_DEFAULT_BITWIDTH, type HamtOptions } from './hamt.js';
export { HamtError, type HamtErrorCode } from './errors.js';
export { hashKey, type HamtHashFn } from './hash.js';
export { HAMT_BUCKET_SIZE } from './node.js';
