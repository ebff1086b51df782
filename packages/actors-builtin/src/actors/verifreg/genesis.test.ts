import { Address, Hamt, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../devnet/devnet.js';
import { DEFAULT_VERIFREG_ROOT_KEY, buildGenesis } from '../../devnet/genesis.js';
import { CODES } from '../../shared/codes.js';
import { DEVNET_POLICY } from '../../shared/policy.js';
import { checkDatacapStateInvariants } from '../datacap/invariants.js';
import { getBalance } from '../datacap/token.js';
import { DatacapState } from '../datacap/types.js';
import { checkVerifregStateInvariants } from './invariants.js';
import { getVerifierCap } from './state.js';
import { VerifierParams, VerifregMethod, VerifregState } from './types.js';

describe('FIL+ at genesis', () => {
  it('creates verifreg at f06 with its root key account at f080, and DataCap at f07 governed by verifreg', () => {
    const { machine, verifregRoot, verifregRootKey } = buildGenesis({ policy: DEVNET_POLICY });
    expect(verifregRoot.equals(Address.newId(80n))).toBe(true);
    expect(verifregRootKey.equals(DEFAULT_VERIFREG_ROOT_KEY)).toBe(true);
    expect(machine.tree.lookupId(DEFAULT_VERIFREG_ROOT_KEY)).toBe(80n);
    expect(machine.getActor(Address.newId(80n))!.code.equals(CODES.account)).toBe(true);
    expect(machine.getActor(Address.newId(6n))!.code.equals(CODES.verifiedregistry)).toBe(true);
    expect(machine.getActor(Address.newId(7n))!.code.equals(CODES.datacap)).toBe(true);
    const devnet = createDevnet({ accounts: [] });
    const vr = devnet.readState(Address.newId(6n), VerifregState);
    const empty5 = Hamt.empty<unknown>(devnet.machine.store, 5).flush();
    expect(vr).toEqual({ rootKey: Address.newId(80n), verifiers: empty5, removeDataCapProposalIds: empty5, allocations: empty5, nextAllocationId: 1n, claims: empty5 });
    const dc = devnet.readState(Address.newId(7n), DatacapState);
    expect(dc.governor.equals(Address.newId(6n))).toBe(true);
    expect(dc.token.supply).toBe(0n);
    expect(dc.token.hamtBitWidth).toBe(3);
  });

  it('lets the devnet act as the root key to appoint a verifier who mints DataCap (small-deals minimum)', () => {
    const net = createDevnet({ accounts: [{ balance: 10n ** 21n, label: 'verifier' }, { balance: 10n ** 21n, label: 'client' }] });
    const [verifier, client] = net.genesisAccounts;
    const add = net.impersonate({
      from: Address.newId(80n),
      to: Address.newId(6n),
      method: VerifregMethod.AddVerifier,
      params: encodeWith(VerifierParams, { address: verifier!.address, allowance: 1n << 30n }),
    });
    expect(add.exitCode).toBe(0);
    const r = net.send({
      from: verifier!,
      to: Address.newId(6n),
      method: VerifregMethod.AddVerifiedClientExported,
      params: encodeWith(VerifierParams, { address: client!.address, allowance: 256n }),
    });
    expect(net.policy.minimumVerifiedAllocationSize).toBe(256n);
    expect(r.exitCode).toBe(0);
    const vr = net.readState(Address.newId(6n), VerifregState);
    const dc = net.readState(Address.newId(7n), DatacapState);
    expect(getVerifierCap(net.machine.store, vr, verifier!.idAddress)).toBe((1n << 30n) - 256n);
    expect(getBalance(net.machine.store, dc.token, client!.id)).toBe(256n * 10n ** 18n);
    expect(dc.token.supply).toBe(256n * 10n ** 18n);
    expect(checkVerifregStateInvariants(vr, net.machine.store, net.epoch, net.policy).acc.messages).toEqual([]);
    expect(checkDatacapStateInvariants(dc, net.machine.store).acc.messages).toEqual([]);
  });
});
