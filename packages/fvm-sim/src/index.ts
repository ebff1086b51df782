/**
 * fvm-sim: a pure-TypeScript simulator of the Filecoin Virtual Machine.
 *
 * @packageDocumentation
 */
export { FvmSimError } from './errors/base.js';
export { encodeCbor, decodeCbor, CborError, type CborValue } from './ipld/cbor.js';
export { cborCid, identityCid, blake2b256, CID, DAG_CBOR, RAW, IDENTITY, BLAKE2B_256 } from './ipld/cid.js';
export {
  MemoryBlockstore,
  BlockNotFoundError,
  putCbor,
  getCbor,
  type Blockstore,
  type BlockstoreStats,
} from './ipld/blockstore.js';
