/**
 * fvm-sim: a pure-TypeScript simulator of the Filecoin Virtual Machine — the engine.
 *
 * It knows no particular actor: built-in actors (package `@fvm-sim/actors-builtin`) and user
 * contracts plug in through the {@link Runtime} interface and an {@link ActorRegistry}.
 *
 * @packageDocumentation
 */
// Errors
export { FvmSimError } from './errors/base.js';

// Primitives
export * from './primitives/index.js';

// IPLD
export { encodeCbor, encodeBlock, decodeCbor, CborError, type CborValue } from './ipld/cbor.js';
export { storedBytes } from './ipld/fastCbor.js';
export { cborCid, deferredCborCid, pendingBlock, identityCid, cidKey, cidFromKey, blake2b256, CID, DAG_CBOR, RAW, IDENTITY, BLAKE2B_256 } from './ipld/cid.js';
export { MemoryBlockstore, BlockNotFoundError, putCbor, getCbor, type Blockstore, type BlockstoreStats } from './ipld/blockstore.js';
export * from './ipld/hamt/index.js';
export * from './ipld/amt/index.js';
export * from './ipld/bitfield/index.js';
export { exportCar, importCar, reachableBlocks, CarError } from './ipld/car.js';
/** Typed CBOR codecs for params, returns and state (`codec.tuple`, `codec.u64`, …). */
export * as codec from './ipld/codec.js';
export { CodecError, encodeWith, encodeBlockWith, decodeWith, type Codec, type Infer } from './ipld/codec.js';

// State
export { type ActorState, actorStateToCbor, actorStateFromCbor } from './state/actorState.js';
export { StateTree, StateTreeError, actorKey, STATE_TREE_VERSION, type InitStateView } from './state/stateTree.js';

// Gas
export * from './gas/priceList.js';
export { computeGasOutputs, computeGasOverestimationBurn, zeroGasOutputs, type GasOutputs } from './gas/outputs.js';
export { toGas } from './gas/tracker.js';

// Runtime interface and dispatch
export { ActorError } from './runtime/actorError.js';
export * from './runtime/runtime.js';
export * from './runtime/dispatch.js';

// Engine
export * from './engine/registry.js';
export * from './engine/machine.js';
export { mockSignature, drawRandomness, concat, i64BE, u64BE } from './engine/crypto.js';
export * from './engine/message.js';
export * from './engine/executor.js';
export { sendErrorExitCode } from './engine/callManager.js';
export { DecodedStateCache, decodeBlockWith, getWith, putEncodedWith, putWith, sameDecodedValue, setStateCacheVerification, stateCacheVerification } from './engine/stateCache.js';

// Traces
export type { TraceFrame } from './trace/trace.js';
export { formatTrace, describeFrame, type FormatTraceOptions } from './trace/format.js';
export { traceToMermaid, type TraceToMermaidOptions } from './trace/mermaid.js';
