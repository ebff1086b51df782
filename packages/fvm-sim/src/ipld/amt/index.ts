/**
 * Filecoin's AMT (array mapped trie): go-amt-ipld v4 / `fvm_ipld_amt` format, plus the legacy v0
 * root.
 *
 * @module
 */
export {
  Amt,
  AMT_DEFAULT_BITWIDTH,
  AMT_MAX_BITWIDTH,
  AMT_MAX_HEIGHT,
  AMT_MAX_INDEX,
  type AmtIndex,
  type AmtVersion,
} from './amt.js';
export { AmtError, type AmtErrorCode } from './errors.js';
