import { CarBufferReader, CarBufferWriter } from '@ipld/car';
import { CID } from 'multiformats/cid';
import { FvmSimError } from '../errors/base.js';
import { type Blockstore, BlockNotFoundError, MemoryBlockstore } from './blockstore.js';
import { decodeCbor } from './cbor.js';
import { DAG_CBOR, IDENTITY, cidKey } from './cid.js';

/** Thrown for CAR files that cannot be read. */
export class CarError extends FvmSimError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAR', message, options);
  }
}

function collectLinks(value: unknown, out: CID[]): void {
  const cid = CID.asCID(value);
  if (cid) {
    out.push(cid);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectLinks(v, out);
  else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) for (const v of Object.values(value)) collectLinks(v, out);
}

/**
 * Every block reachable from `root` (dag-cbor links; identity CIDs such as actor code CIDs are
 * inline and skipped), each once, parents before children.
 *
 * @throws {@link BlockNotFoundError} when a linked block is missing.
 */
export function* reachableBlocks(store: Blockstore, root: CID): Generator<{ cid: CID; bytes: Uint8Array }> {
  const seen = new Set<string>();
  const stack: CID[] = [root];
  while (stack.length > 0) {
    const cid = stack.pop()!;
    const key = cidKey(cid);
    if (seen.has(key) || cid.multihash.code === IDENTITY) continue;
    seen.add(key);
    const bytes = store.get(cid);
    if (bytes === undefined) throw new BlockNotFoundError(cid);
    yield { cid, bytes };
    if (cid.code === DAG_CBOR) {
      const links: CID[] = [];
      collectLinks(decodeCbor(bytes), links);
      for (let i = links.length - 1; i >= 0; i--) stack.push(links[i]!);
    }
  }
}

/**
 * Exports the DAG under `root` (e.g. a state root) as a CARv1 file, synchronously.
 *
 * @example
 * ```ts
 * writeFileSync('state.car', exportCar(machine.store, machine.flush()));
 * ```
 */
export function exportCar(store: Blockstore, root: CID): Uint8Array {
  const blocks = [...reachableBlocks(store, root)];
  let size = CarBufferWriter.headerLength({ roots: [root] });
  for (const b of blocks) size += CarBufferWriter.blockLength(b);
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(size), { roots: [root] });
  for (const b of blocks) writer.write(b);
  return writer.close({ resize: true });
}

/**
 * Reads a CARv1 file into a new {@link MemoryBlockstore}.
 *
 * @throws {@link CarError} for malformed input.
 */
export function importCar(bytes: Uint8Array): { store: MemoryBlockstore; roots: CID[] } {
  let reader: CarBufferReader;
  try {
    reader = CarBufferReader.fromBytes(bytes);
  } catch (cause) {
    throw new CarError(`not a CAR file: ${(cause as Error).message}`, { cause });
  }
  const store = new MemoryBlockstore();
  for (const b of reader.blocks()) store.put(b.cid as unknown as CID, b.bytes);
  return { store, roots: reader.getRoots() as unknown as CID[] };
}
