/**
 * Simple value transfers per second: fvm-sim (applyMessage, and the devnet's send with gas
 * estimation) against Hardhat's in-process network (EDR), @ethereumjs/vm runTx, and an in-memory
 * floor that touches the same objects without an engine.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Address,
  FIL,
  type Message,
  computeGasOutputs,
  encodeSignedMessage,
  mockSignature,
  onChainMessageCharge,
  priceListFor,
  applyMessage,
} from 'fvm-sim';
import { createDevnet } from '@fvm-sim/actors-builtin';
import type { Competitor } from './harness.js';

/**
 * fvm-sim: `applyMessage` of signed messages with a given gas limit, with receipts and traces.
 * As in ref-fvm, the executor does not check signatures (the node did before inclusion) and only
 * the signature's length matters (inclusion gas), so every message carries the same mock signature
 * and no signing work is timed — like a node applying a block's messages.
 */
export function engineApplyMessage(): Competitor {
  const net = createDevnet({ seed: 'bench-transfers', accounts: [{ balance: FIL(1_000_000) }], blockProduction: 'off' });
  const [alice] = net.genesisAccounts;
  const bob = net.createAccount();
  const gasLimit = (net.estimateGas({ from: alice!, to: bob, value: 1n }) * 125n) / 100n + 1n;
  const feeCap = net.machine.baseFee * 2n + 100n;
  let nonce = net.nonceOf(alice!);
  const signature = alice!.sign(new Uint8Array(38));
  return {
    name: 'fvm-sim applyMessage',
    note: 'signed message given, gas limit given, receipt + trace',
    run(n) {
      for (let i = 0; i < n; i++) {
        const msg: Message = { from: alice!.address, to: bob.address, nonce: nonce++, value: 1n, method: 0, params: null, gasLimit, gasFeeCap: feeCap, gasPremium: 100n };
        const r = applyMessage(net.machine, msg, { signature });
        if (r.exitCode !== 0 || r.trace === undefined) throw new Error(`transfer failed: exit ${r.exitCode} ${r.failureInfo ?? ''}`);
      }
    },
  };
}

/** fvm-sim: `net.send` — nonce, gas estimation on a throw-away checkpoint (×1.25), mock signature, apply. */
export function engineDevnetSend(): Competitor {
  const net = createDevnet({ seed: 'bench-transfers', accounts: [{ balance: FIL(1_000_000) }], blockProduction: 'off' });
  const [alice] = net.genesisAccounts;
  const bob = net.createAccount();
  return {
    name: 'fvm-sim devnet.send',
    note: 'gas-estimation dry run kept as the execution + sign + settle',
    run(n) {
      for (let i = 0; i < n; i++) {
        const r = net.send({ from: alice!, to: bob, value: 1n });
        if (r.exitCode !== 0) throw new Error(`transfer failed: exit ${r.exitCode}`);
      }
    },
  };
}

/**
 * The floor: what a transfer touches, with no engine — the signed message's CBOR encoding for its
 * inclusion gas, the gas outputs, four actor records (sender, receiver, burnt funds, reward) in a
 * Map, and a receipt object.
 */
export function inMemoryFloor(): Competitor {
  interface Rec {
    readonly code: string;
    readonly head: string;
    readonly sequence: bigint;
    readonly balance: bigint;
  }
  const prices = priceListFor(28);
  const net = createDevnet({ seed: 'bench-transfers', accounts: [{ balance: FIL(1) }], blockProduction: 'off' });
  const from: Address = net.genesisAccounts[0]!.address;
  const to: Address = net.createAccount().address;
  const ids = new Map<string, number>([
    [from.key, 100],
    [to.key, 101],
  ]);
  const actors = new Map<number, Rec>([
    [100, { code: 'account', head: 'h', sequence: 0n, balance: FIL(1_000_000) }],
    [101, { code: 'account', head: 'h', sequence: 0n, balance: 0n }],
    [99, { code: 'account', head: 'h', sequence: 0n, balance: 0n }],
    [2, { code: 'reward', head: 'h', sequence: 0n, balance: 0n }],
  ]);
  const signature = mockSignature(from, new Uint8Array(32));
  const receipts: unknown[] = [];
  let nonce = 0n;
  return {
    name: 'in-memory floor',
    note: 'CBOR size + gas outputs + 4 Map records, no engine',
    run(n) {
      receipts.length = 0;
      for (let i = 0; i < n; i++) {
        const msg: Message = { from, to, nonce: nonce++, value: 1n, method: 0, params: null, gasLimit: 2_000_000n, gasFeeCap: 300n, gasPremium: 100n };
        const length = encodeSignedMessage(msg, signature).length;
        const gasUsed = BigInt(Math.ceil((onChainMessageCharge(prices, length) + prices.valueTransfer) / 1000));
        const sid = ids.get(msg.from.key)!;
        const rid = ids.get(msg.to.key)!;
        const s = actors.get(sid)!;
        if (s.sequence !== msg.nonce || s.balance < msg.gasLimit * msg.gasFeeCap + msg.value) throw new Error('floor: bad nonce or funds');
        const out = computeGasOutputs(gasUsed, msg.gasLimit, 100n, msg.gasFeeCap, msg.gasPremium);
        actors.set(sid, { ...s, sequence: s.sequence + 1n, balance: s.balance - msg.value - (msg.gasLimit * msg.gasFeeCap - out.refund) });
        const r = actors.get(rid)!;
        actors.set(rid, { ...r, balance: r.balance + msg.value });
        const burnt = actors.get(99)!;
        actors.set(99, { ...burnt, balance: burnt.balance + out.baseFeeBurn + out.overEstimationBurn });
        const reward = actors.get(2)!;
        actors.set(2, { ...reward, balance: reward.balance + out.minerTip });
        receipts.push({ exitCode: 0, returnData: null, gasUsed, eventsRoot: null, gasOutputs: out });
      }
    },
  };
}

/**
 * Hardhat's in-process network (EDR): `eth_sendTransaction` value transfers from a default
 * account with automine (one block per transaction), through the HRE provider as a test uses it.
 */
export async function hardhatEdr(): Promise<Competitor & { version: string }> {
  const dir = join(tmpdir(), 'fvm-sim-bench-hardhat');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hardhat.config.cjs'), 'module.exports = {};\n');
  process.env.HARDHAT_CONFIG = join(dir, 'hardhat.config.cjs');
  const hre = ((await import('hardhat')) as unknown as { default: { network: { provider: { request(a: { method: string; params?: unknown[] }): Promise<unknown> } }; version?: string } }).default;
  const provider = hre.network.provider;
  const accounts = (await provider.request({ method: 'eth_accounts' })) as string[];
  const [from, to] = accounts as [string, string];
  const version = hre.version ?? 'unknown';
  return {
    name: 'Hardhat EDR',
    note: `hardhat ${version}: eth_sendTransaction, automine`,
    version,
    async run(n) {
      for (let i = 0; i < n; i++) await provider.request({ method: 'eth_sendTransaction', params: [{ from, to, value: '0x1' }] });
    },
  };
}

/**
 * @ethereumjs/vm `runTx` of a signed legacy value transfer (21,000 gas), with its receipt. The
 * same signed transaction is replayed with `skipNonce` so the sender is recovered once — no
 * signature work per transfer, as with fvm-sim's mock signatures.
 */
export async function ethereumjsRunTx(): Promise<Competitor> {
  const { Common, Hardfork, Mainnet } = await import('@ethereumjs/common');
  const { createLegacyTx } = await import('@ethereumjs/tx');
  const { createAccount, createAddressFromPrivateKey, createAddressFromString, hexToBytes } = await import('@ethereumjs/util');
  const { createVM, runTx } = await import('@ethereumjs/vm');
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const vm = await createVM({ common });
  const pk = hexToBytes(`0x${'11'.repeat(32)}`);
  const sender = createAddressFromPrivateKey(pk);
  await vm.stateManager.putAccount(sender, createAccount({ balance: 10n ** 30n }));
  const tx = createLegacyTx({ nonce: 0n, gasPrice: 10n ** 10n, gasLimit: 21_000n, to: createAddressFromString(`0x${'22'.repeat(20)}`), value: 1n }, { common }).sign(pk);
  tx.getSenderAddress();
  return {
    name: '@ethereumjs/vm runTx',
    note: 'legacy transfer, sender cached, skipNonce',
    async run(n) {
      for (let i = 0; i < n; i++) {
        const r = await runTx(vm, { tx, skipNonce: true });
        if (r.execResult.exceptionError !== undefined) throw new Error('ethereumjs transfer failed');
      }
    },
  };
}
