import { Address, ExitCode, blake2b256, codec as c, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { assignProvingPeriodOffset, currentDeadlineIndex, currentProvingPeriodStart } from './deadlines.js';
import { createMinerDeposit, maxTerminationFee } from './monies.js';
import { REWARD_VESTING_SPEC } from './policy.js';
import {
  ChangeBeneficiaryParams,
  ChangeMultiaddrsParams,
  ChangePeerIDParams,
  ChangeWorkerAddressParams,
  GetBeneficiaryReturn,
  GetControlAddressesReturn,
  GetMultiaddrsReturn,
  GetOwnerReturn,
  GetPeerIDReturn,
  GetVestingFundsReturn,
  MaxTerminationFeeParams,
  MinerConstructorParams,
  MinerMethod,
  WithdrawBalanceParams,
} from './types.js';
import { FIL, blsKey, createMinerHarness, ret, secpKey } from './testHarness.js';

function setup() {
  const h = createMinerHarness();
  const { miner, result } = h.createMiner();
  expect(result.exitCode).toBe(ExitCode.OK);
  return { h, miner };
}

/** The vesting entries `sum` locked at `epoch` on the reward schedule would create (vesting_state.rs), computed independently. */
function rewardSchedule(epoch: bigint, sum: bigint, provingPeriodStart: bigint): { epoch: bigint; amount: bigint }[] {
  const { vestPeriod, stepDuration, quantization } = REWARD_VESTING_SPEC;
  const quantUp = (e: bigint) => {
    const offset = ((provingPeriodStart % quantization) + quantization) % quantization;
    const rem = (((e - offset) % quantization) + quantization) % quantization;
    return rem === 0n ? e : e - rem + quantization;
  };
  const out: { epoch: bigint; amount: bigint }[] = [];
  let vested = 0n;
  for (let e = epoch + stepDuration; vested < sum; e += stepDuration) {
    const q = quantUp(e);
    const elapsed = q - epoch;
    const target = elapsed < vestPeriod ? (sum * elapsed) / vestPeriod : sum;
    out.push({ epoch: q, amount: target - vested });
    vested = target;
  }
  return out;
}

describe('Constructor (through Power.CreateMiner)', () => {
  it('builds the info and state, locks the FIP-0077 deposit on the reward schedule and registers a zero claim', () => {
    const h = createMinerHarness();
    const deposit = createMinerDeposit(h.policy, h.pledgeInputs());
    const { miner, result } = h.createMiner({ value: 5_000n * FIL, peer: new Uint8Array([9, 9]), multiaddrs: [new Uint8Array([1]), new Uint8Array([2, 3])] });
    expect(result.exitCode).toBe(ExitCode.OK);
    expect(deposit).toBeGreaterThan(0n);

    const info = h.info(miner);
    expect(info.owner.equals(h.owner)).toBe(true);
    expect(info.worker.equals(h.worker)).toBe(true);
    expect(info.controlAddresses).toEqual([]);
    expect(info.pendingWorkerKey).toBeNull();
    expect(info.peerId).toEqual(new Uint8Array([9, 9]));
    expect(info.multiAddress).toEqual([new Uint8Array([1]), new Uint8Array([2, 3])]);
    expect(info.windowPoStProofType).toBe(10);
    expect(info.sectorSize).toBe(2048n);
    expect(info.windowPoStPartitionSectors).toBe(2n);
    expect(info.consensusFaultElapsed).toBe(-1n);
    expect(info.pendingOwnerAddress).toBeNull();
    expect(info.beneficiary.equals(h.owner)).toBe(true);
    expect(info.beneficiaryTerm).toEqual({ quota: 0n, usedQuota: 0n, expiration: 0n });
    expect(info.pendingBeneficiaryTerm).toBeNull();

    const st = h.state(miner);
    const offset = assignProvingPeriodOffset(h.policy, miner, 1000n, blake2b256);
    const periodStart = currentProvingPeriodStart(h.policy, 1000n, offset);
    expect(st.provingPeriodStart).toBe(periodStart);
    expect(st.currentDeadline).toBe(currentDeadlineIndex(h.policy, 1000n, periodStart));
    expect(st.lockedFunds).toBe(deposit);
    expect(st.preCommitDeposits).toBe(0n);
    expect(st.initialPledge).toBe(0n);
    expect(st.feeDebt).toBe(0n);
    expect(st.deadlineCronActive).toBe(false);
    expect(h.vesting(miner)).toEqual(rewardSchedule(1000n, deposit, periodStart));
    expect(h.balanceOf(miner)).toBe(5_000n * FIL);

    expect(h.claim(miner)).toEqual({ windowPoStProofType: 10, rawBytePower: 0n, qualityAdjPower: 0n });
    expect(h.power().minerCount).toBe(1n);
  });

  it('refuses a value below the deposit (19), a Window PoSt proof the network does not allow (16), a non-BLS or unknown worker (16), bad peer info (16)', () => {
    const h = createMinerHarness();
    expect(h.createMiner({ value: 0n }).result.exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(h.createMiner({ windowPoStProofType: 13 }).result.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.createMiner({ worker: h.control }).result.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.createMiner({ worker: blsKey(99) }).result.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.createMiner({ peer: new Uint8Array(129) }).result.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.createMiner({ multiaddrs: [new Uint8Array(0)] }).result.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.createMiner({ multiaddrs: [new Uint8Array(600), new Uint8Array(425)] }).result.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.power().minerCount).toBe(0n);
    // The worker may be given by its BLS key address too.
    expect(h.createMiner({ worker: h.keys.worker, peer: new Uint8Array(128), multiaddrs: [new Uint8Array(1024)] }).result.exitCode).toBe(ExitCode.OK);
  });

  it('answers only Init (18 for anyone else)', () => {
    const { h, miner } = setup();
    const params = encodeWith(MinerConstructorParams, { owner: h.owner, worker: h.worker, controlAddresses: [], windowPoStProofType: 10, peerId: new Uint8Array(), multiAddresses: [] });
    expect(h.send(h.owner, miner, MinerMethod.Constructor, params).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });
});

describe('getters', () => {
  it('report the control addresses, owner, sector size, balances, vesting, peer info and pledge to any caller', () => {
    const { h, miner } = setup();
    const get = <T,>(m: number, codec: c.Codec<T>, params: Uint8Array | null = null) => ret(codec, h.send(h.other, miner, m, params));
    expect(get(MinerMethod.ControlAddresses, GetControlAddressesReturn)).toEqual({ owner: h.owner, worker: h.worker, controlAddresses: [] });
    expect(get(MinerMethod.GetOwnerExported, GetOwnerReturn)).toEqual({ owner: h.owner, proposed: null });
    const isCtl = (a: Address) => get(MinerMethod.IsControllingAddressExported, c.bool, encodeWith(c.address, a));
    expect([isCtl(h.owner), isCtl(h.keys.worker), isCtl(h.other), isCtl(secpKey(77))]).toEqual([true, true, false, false]);
    expect(get(MinerMethod.GetSectorSizeExported, c.u64)).toBe(2048n);
    const st = h.state(miner);
    expect(get(MinerMethod.GetAvailableBalanceExported, c.bigint)).toBe(h.balanceOf(miner) - st.lockedFunds);
    expect(get(MinerMethod.GetVestingFundsExported, GetVestingFundsReturn).vestingFunds).toEqual(h.vesting(miner));
    expect(get(MinerMethod.GetPeerIDExported, GetPeerIDReturn)).toEqual({ peerId: new Uint8Array([1, 2, 3]) });
    expect(get(MinerMethod.GetMultiaddrsExported, GetMultiaddrsReturn)).toEqual({ multiAddrs: [] });
    expect(get(MinerMethod.InitialPledgeExported, c.bigint)).toBe(0n);
    const fee = get(MinerMethod.MaxTerminationFeeExported, c.bigint, encodeWith(MaxTerminationFeeParams, { power: 2048n, initialPledge: 10n * FIL }));
    expect(fee).toBe(maxTerminationFee(h.reward().thisEpochRewardSmoothed, h.power().qualityAdjPowerSmoothed, 2048n, 10n * FIL));
    expect(get(MinerMethod.GetBeneficiaryExported, GetBeneficiaryReturn)).toEqual({ active: { beneficiary: h.owner, term: { quota: 0n, usedQuota: 0n, expiration: 0n } }, proposed: null });
  });
});

describe('ChangeWorkerAddress / ConfirmChangeWorkerAddress', () => {
  const change = (h: ReturnType<typeof createMinerHarness>, miner: Address, from: Address, newWorker: Address, controls: Address[]) =>
    h.send(from, miner, MinerMethod.ChangeWorkerAddress, encodeWith(ChangeWorkerAddressParams, { newWorker, newControlAddresses: controls }));

  it('replaces the control addresses at once and the worker only after the key change delay', () => {
    const { h, miner } = setup();
    expect(change(h, miner, h.owner, h.keys.worker2, [h.keys.control]).exitCode).toBe(ExitCode.OK);
    let info = h.info(miner);
    expect(info.controlAddresses).toEqual([h.control]);
    expect(info.worker.equals(h.worker)).toBe(true);
    expect(info.pendingWorkerKey).toEqual({ newWorker: h.worker2, effectiveAt: 1000n + 900n });

    // A second change while one is pending does not move the pending one.
    expect(change(h, miner, h.owner, h.worker, [h.control]).exitCode).toBe(ExitCode.OK);
    expect(h.info(miner).pendingWorkerKey).toEqual({ newWorker: h.worker2, effectiveAt: 1900n });

    // Too early: a no-op.
    h.setEpoch(1899n);
    expect(h.send(h.owner, miner, MinerMethod.ConfirmChangeWorkerAddress).exitCode).toBe(ExitCode.OK);
    expect(h.info(miner).worker.equals(h.worker)).toBe(true);
    // Only the owner confirms.
    h.setEpoch(1900n);
    expect(h.send(h.worker, miner, MinerMethod.ConfirmChangeWorkerAddress).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.send(h.owner, miner, MinerMethod.ConfirmChangeWorkerAddressExported).exitCode).toBe(ExitCode.OK);
    info = h.info(miner);
    expect(info.worker.equals(h.worker2)).toBe(true);
    expect(info.pendingWorkerKey).toBeNull();
  });

  it('keeps the worker unscheduled when unchanged, and clears control addresses with an empty list', () => {
    const { h, miner } = setup();
    expect(change(h, miner, h.owner, h.worker, [h.control, h.other]).exitCode).toBe(ExitCode.OK);
    expect(h.info(miner).pendingWorkerKey).toBeNull();
    expect(h.info(miner).controlAddresses).toEqual([h.control, h.other]);
    expect(change(h, miner, h.owner, h.worker, []).exitCode).toBe(ExitCode.OK);
    expect(h.info(miner).controlAddresses).toEqual([]);
  });

  it('refuses callers other than the owner (18) and bad parameters from anyone (16)', () => {
    const { h, miner } = setup();
    expect(change(h, miner, h.worker, h.worker2, []).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(change(h, miner, h.other, h.worker2, []).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(change(h, miner, h.other, h.control, []).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT); // secp worker
    expect(change(h, miner, h.owner, h.worker2, Array.from({ length: 11 }, () => h.control)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(change(h, miner, h.owner, h.worker2, [secpKey(50)]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT); // unresolvable control
    expect(h.info(miner).pendingWorkerKey).toBeNull();
  });
});

describe('ChangeOwnerAddress', () => {
  const propose = (h: ReturnType<typeof createMinerHarness>, miner: Address, from: Address, to: Address) =>
    h.send(from, miner, MinerMethod.ChangeOwnerAddress, encodeWith(c.address, to));

  it('changes the owner (and a beneficiary that was the owner) once the nominee confirms', () => {
    const { h, miner } = setup();
    expect(propose(h, miner, h.owner, h.other).exitCode).toBe(ExitCode.OK);
    expect(h.info(miner).pendingOwnerAddress).toEqual(h.other);
    expect(propose(h, miner, h.other, h.other).exitCode).toBe(ExitCode.OK);
    const info = h.info(miner);
    expect(info.owner.equals(h.other)).toBe(true);
    expect(info.beneficiary.equals(h.other)).toBe(true);
    expect(info.pendingOwnerAddress).toBeNull();
  });

  it('is refused half-way: a third party cannot confirm (18), the nominee cannot confirm another address (16), and the owner keeps control', () => {
    const { h, miner } = setup();
    expect(propose(h, miner, h.owner, h.other).exitCode).toBe(ExitCode.OK);
    expect(propose(h, miner, h.worker, h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(propose(h, miner, h.other, h.control).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    let info = h.info(miner);
    expect(info.owner.equals(h.owner)).toBe(true);
    expect(info.pendingOwnerAddress).toEqual(h.other);
    // The owner revokes by proposing itself; the nominee can no longer confirm.
    expect(propose(h, miner, h.owner, h.owner).exitCode).toBe(ExitCode.OK);
    expect(h.info(miner).pendingOwnerAddress).toBeNull();
    expect(propose(h, miner, h.other, h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    info = h.info(miner);
    expect(info.owner.equals(h.owner)).toBe(true);
  });

  it('refuses a non-ID address (16) and a non-owner proposal (18)', () => {
    const { h, miner } = setup();
    expect(propose(h, miner, h.owner, h.keys.other).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(propose(h, miner, h.worker, h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.send(h.owner, miner, MinerMethod.ChangeOwnerAddressExported, encodeWith(c.address, h.other)).exitCode).toBe(ExitCode.OK);
  });
});

describe('ChangePeerID / ChangeMultiaddrs', () => {
  it('lets the owner, worker and control addresses change them, checks sizes first', () => {
    const { h, miner } = setup();
    h.send(h.owner, miner, MinerMethod.ChangeWorkerAddress, encodeWith(ChangeWorkerAddressParams, { newWorker: h.worker, newControlAddresses: [h.control] }));
    const peer = (from: Address, id: Uint8Array) => h.send(from, miner, MinerMethod.ChangePeerID, encodeWith(ChangePeerIDParams, { newId: id })).exitCode;
    const addrs = (from: Address, a: Uint8Array[]) => h.send(from, miner, MinerMethod.ChangeMultiaddrs, encodeWith(ChangeMultiaddrsParams, { newMultiAddrs: a })).exitCode;
    expect(peer(h.control, new Uint8Array([7]))).toBe(ExitCode.OK);
    expect(h.info(miner).peerId).toEqual(new Uint8Array([7]));
    expect(peer(h.other, new Uint8Array([8]))).toBe(ExitCode.USR_FORBIDDEN);
    expect(peer(h.other, new Uint8Array(129))).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(addrs(h.worker, [new Uint8Array([1, 2])])).toBe(ExitCode.OK);
    expect(h.info(miner).multiAddress).toEqual([new Uint8Array([1, 2])]);
    expect(addrs(h.other, [new Uint8Array([1])])).toBe(ExitCode.USR_FORBIDDEN);
    expect(addrs(h.owner, [new Uint8Array(0)])).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.send(h.owner, miner, MinerMethod.ChangePeerIDExported, encodeWith(ChangePeerIDParams, { newId: new Uint8Array([3]) })).exitCode).toBe(ExitCode.OK);
  });
});

describe('ChangeBeneficiary / GetBeneficiary / withdrawals by the beneficiary (FIP-0029)', () => {
  const changeBen = (h: ReturnType<typeof createMinerHarness>, miner: Address, from: Address, to: Address, quota: bigint, expiration: bigint) =>
    h.send(from, miner, MinerMethod.ChangeBeneficiary, encodeWith(ChangeBeneficiaryParams, { newBeneficiary: to, newQuota: quota, newExpiration: expiration }));
  const withdraw = (h: ReturnType<typeof createMinerHarness>, miner: Address, from: Address, amount: bigint) =>
    h.send(from, miner, MinerMethod.WithdrawBalance, encodeWith(WithdrawBalanceParams, { amountRequested: amount }));

  it('needs the nominee to approve; then the beneficiary withdraws up to its quota, until exhausted (18)', () => {
    const { h, miner } = setup();
    expect(changeBen(h, miner, h.owner, h.keys.beneficiary, 100n * FIL, 5000n).exitCode).toBe(ExitCode.OK);
    const pending = ret(GetBeneficiaryReturn, h.send(h.other, miner, MinerMethod.GetBeneficiary));
    expect(pending.proposed).toEqual({ newBeneficiary: h.beneficiary, newQuota: 100n * FIL, newExpiration: 5000n, approvedByBeneficiary: true, approvedByNominee: false });
    expect(pending.active.beneficiary.equals(h.owner)).toBe(true);

    expect(changeBen(h, miner, h.beneficiary, h.beneficiary, 99n * FIL, 5000n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(changeBen(h, miner, h.beneficiary, h.beneficiary, 100n * FIL, 5001n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(changeBen(h, miner, h.beneficiary, h.other, 100n * FIL, 5000n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(changeBen(h, miner, h.other, h.beneficiary, 100n * FIL, 5000n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(changeBen(h, miner, h.beneficiary, h.beneficiary, 100n * FIL, 5000n).exitCode).toBe(ExitCode.OK);
    const active = ret(GetBeneficiaryReturn, h.send(h.other, miner, MinerMethod.GetBeneficiaryExported));
    expect(active).toEqual({ active: { beneficiary: h.beneficiary, term: { quota: 100n * FIL, usedQuota: 0n, expiration: 5000n } }, proposed: null });

    const before = h.balanceOf(h.beneficiary);
    expect(ret(c.bigint, withdraw(h, miner, h.beneficiary, 60n * FIL))).toBe(60n * FIL);
    // The owner may still call, but the funds go to the beneficiary and count against the quota.
    const ownerBefore = h.balanceOf(h.owner);
    expect(ret(c.bigint, withdraw(h, miner, h.owner, 60n * FIL))).toBe(40n * FIL);
    expect(h.balanceOf(h.beneficiary)).toBe(before + 100n * FIL);
    expect(h.balanceOf(h.owner)).toBe(ownerBefore);
    expect(h.info(miner).beneficiaryTerm.usedQuota).toBe(100n * FIL);
    expect(withdraw(h, miner, h.beneficiary, 1n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(withdraw(h, miner, h.worker, 1n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('stops withdrawals at expiration (18), after which the owner takes the benefit back without approval', () => {
    const { h, miner } = setup();
    changeBen(h, miner, h.owner, h.beneficiary, 100n * FIL, 2000n);
    changeBen(h, miner, h.beneficiary, h.beneficiary, 100n * FIL, 2000n);
    h.setEpoch(1999n);
    expect(ret(c.bigint, withdraw(h, miner, h.beneficiary, 1n * FIL))).toBe(1n * FIL);
    h.setEpoch(2000n);
    expect(withdraw(h, miner, h.beneficiary, 1n * FIL).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    // Back to the owner: quota and expiration must be zero; the expired beneficiary's approval is implied.
    expect(changeBen(h, miner, h.owner, h.owner, 1n, 0n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(changeBen(h, miner, h.owner, h.owner, 0n, 1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(changeBen(h, miner, h.owner, h.owner, 0n, 0n).exitCode).toBe(ExitCode.OK);
    const info = h.info(miner);
    expect(info.beneficiary.equals(h.owner)).toBe(true);
    expect(info.beneficiaryTerm).toEqual({ quota: 0n, usedQuota: 0n, expiration: 0n });
    expect(info.pendingBeneficiaryTerm).toBeNull();
  });

  it('requires the current beneficiary to approve while its term is running, and resets the used quota on change', () => {
    const { h, miner } = setup();
    changeBen(h, miner, h.owner, h.beneficiary, 100n * FIL, 9000n);
    changeBen(h, miner, h.beneficiary, h.beneficiary, 100n * FIL, 9000n);
    withdraw(h, miner, h.beneficiary, 10n * FIL);
    expect(changeBen(h, miner, h.owner, h.other, 50n * FIL, 9000n).exitCode).toBe(ExitCode.OK);
    expect(h.info(miner).pendingBeneficiaryTerm?.approvedByBeneficiary).toBe(false);
    expect(changeBen(h, miner, h.other, h.other, 50n * FIL, 9000n).exitCode).toBe(ExitCode.OK);
    expect(h.info(miner).beneficiary.equals(h.beneficiary)).toBe(true); // still waiting for the current beneficiary
    expect(changeBen(h, miner, h.beneficiary, h.other, 50n * FIL, 9000n).exitCode).toBe(ExitCode.OK);
    const info = h.info(miner);
    expect(info.beneficiary.equals(h.other)).toBe(true);
    expect(info.beneficiaryTerm).toEqual({ quota: 50n * FIL, usedQuota: 0n, expiration: 9000n });
  });

  it('refuses a non-positive quota (16), a non-owner without a proposal (18), and drops the proposal when the owner changes', () => {
    const { h, miner } = setup();
    expect(changeBen(h, miner, h.owner, h.beneficiary, 0n, 9000n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(changeBen(h, miner, h.beneficiary, h.beneficiary, 1n, 9000n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(changeBen(h, miner, h.owner, secpKey(60), 1n, 9000n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(changeBen(h, miner, h.owner, h.beneficiary, 1n, 9000n).exitCode).toBe(ExitCode.OK);
    h.send(h.owner, miner, MinerMethod.ChangeOwnerAddress, encodeWith(c.address, h.other));
    h.send(h.other, miner, MinerMethod.ChangeOwnerAddress, encodeWith(c.address, h.other));
    const info = h.info(miner);
    expect(info.pendingBeneficiaryTerm).toBeNull();
    expect(info.beneficiary.equals(h.other)).toBe(true);
    expect(h.send(h.owner, miner, MinerMethod.ChangeBeneficiaryExported, encodeWith(ChangeBeneficiaryParams, { newBeneficiary: h.owner, newQuota: 0n, newExpiration: 0n })).exitCode).toBe(
      ExitCode.USR_FORBIDDEN,
    );
  });
});

