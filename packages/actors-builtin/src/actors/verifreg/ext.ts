/**
 * Everything the verified registry calls on other actors: the DataCap token (balance, mint,
 * burn, destroy, transfer) in whole bytes of DataCap converted to atto-tokens, and account
 * authentication of removal requests.
 *
 * - Source: builtin-actors `actors/verifreg/src/{ext,lib}.rs` (`balance`, `mint`, `burn`,
 *   `destroy`, `transfer`, `datacap_to_tokens`, `tokens_to_datacap`).
 *
 * @module
 */
import { ActorError, Address, type Runtime, codec as c, encodeWith } from 'fvm-sim';
import { DATACAP_TOKEN_ACTOR_ADDR } from '../../shared/singletons.js';
import { BurnParams, DatacapMethod, DestroyParams, MintParams, TOKEN_PRECISION, TransferParams } from '../datacap/types.js';
import { deserializeReturn, extractSendResult } from '../market/ext.js';

export { authenticateMessage } from '../market/ext.js';

/** Whole DataCap (bytes) → atto-tokens (`datacap_to_tokens`). */
export function datacapToTokens(bytes: bigint): bigint {
  return bytes * TOKEN_PRECISION;
}

/** Atto-tokens → whole DataCap, truncating (`tokens_to_datacap`). */
export function tokensToDatacap(tokens: bigint): bigint {
  return tokens / TOKEN_PRECISION;
}

/** Prefixes an actor error's message, keeping its exit code (`ActorContext::context`). */
export function withContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ActorError) throw new ActorError(e.exitCode, `${context}: ${e.reason}`, e.data);
    throw e;
  }
}

/** `owner`'s DataCap in whole bytes, queried read-only (verifreg `balance`). */
export function datacapBalance(rt: Runtime, owner: Address): bigint {
  return withContext(`failed to query datacap balance of ${owner.toString()}`, () => {
    const res = rt.send(DATACAP_TOKEN_ACTOR_ADDR, DatacapMethod.BalanceExported, encodeWith(c.address, owner), 0n, { readOnly: true });
    return tokensToDatacap(deserializeReturn(c.bigint, extractSendResult(res, 'balance'), 'balance'));
  });
}

/** Mints `bytes` of DataCap to `to`, giving `operators` an infinite allowance (verifreg `mint`). */
export function datacapMint(rt: Runtime, to: Address, bytes: bigint, operators: Address[]): void {
  const params = { to, amount: datacapToTokens(bytes), operators };
  withContext(`failed to send mint to datacap`, () => extractSendResult(rt.send(DATACAP_TOKEN_ACTOR_ADDR, DatacapMethod.MintExported, encodeWith(MintParams, params), 0n), 'mint'));
}

/** Burns `bytes` of verifreg's own DataCap; nothing for zero (verifreg `burn`). */
export function datacapBurn(rt: Runtime, bytes: bigint): void {
  if (bytes === 0n) return;
  withContext(`failed to send burn to datacap`, () =>
    extractSendResult(rt.send(DATACAP_TOKEN_ACTOR_ADDR, DatacapMethod.BurnExported, encodeWith(BurnParams, { amount: datacapToTokens(bytes) }), 0n), 'burn'),
  );
}

/** Destroys `bytes` of `owner`'s DataCap; nothing for zero (verifreg `destroy`). */
export function datacapDestroy(rt: Runtime, owner: Address, bytes: bigint): void {
  if (bytes === 0n) return;
  withContext(`failed to send destroy to datacap`, () =>
    extractSendResult(
      rt.send(DATACAP_TOKEN_ACTOR_ADDR, DatacapMethod.DestroyExported, encodeWith(DestroyParams, { owner, amount: datacapToTokens(bytes) }), 0n),
      'destroy',
    ),
  );
}

/** Transfers `bytes` of verifreg's DataCap to actor `to`, even zero (verifreg `transfer`). */
export function datacapTransfer(rt: Runtime, to: bigint, bytes: bigint): void {
  const params = { to: Address.newId(to), amount: datacapToTokens(bytes), operatorData: new Uint8Array(0) };
  withContext(`failed to send transfer to datacap`, () =>
    extractSendResult(rt.send(DATACAP_TOKEN_ACTOR_ADDR, DatacapMethod.TransferExported, encodeWith(TransferParams, params), 0n), 'transfer'),
  );
}

