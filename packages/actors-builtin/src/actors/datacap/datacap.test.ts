import { ActorError, Address, ExitCode, Hamt, RAW, codec as c, decodeWith, defineActor, encodeWith, getCbor, identityCid, method, methodNumber } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { DC, FIL, type VerifregHarness, createVerifregHarness, keyAddress, ret } from '../verifreg/testHarness.js';
import { checkDatacapStateInvariants } from './invariants.js';
import {
  BurnFromParams,
  BurnFromReturn,
  BurnParams,
  BurnReturn,
  DATACAP_GRANULARITY,
  DatacapMethod,
  DatacapState,
  DecreaseAllowanceParams,
  DestroyParams,
  FRC46TokenReceived,
  FRC46_TOKEN_TYPE,
  GetAllowanceParams,
  INFINITE_ALLOWANCE,
  IncreaseAllowanceParams,
  MintParams,
  MintReturn,
  RevokeAllowanceParams,
  TOKEN_HAMT_BITWIDTH,
  TransferFromParams,
  TransferFromReturn,
  TransferParams,
  TransferReturn,
  UniversalReceiverParams,
} from './types.js';
import { changeBalanceBy } from './token.js';

/** A user contract that records every `Receive` it gets and returns `"ok"`, or aborts with 18 when told to. */
const RecorderState = c.tuple({ received: c.array(c.tuple({ type: c.uint, payload: c.bytes })), reject: c.bool }, 'RecorderState');
const RECORDER_CODE = identityCid(RAW, new TextEncoder().encode('fvm-sim/test/frc46-recorder'));
const recorderActor = defineActor({
  name: 'Recorder',
  methods: [
    method({
      number: 3726118371,
      name: 'Receive',
      params: UniversalReceiverParams,
      returns: c.string,
      handler: (rt, p) =>
        rt.transaction(RecorderState, (st) => {
          rt.validateImmediateCallerAcceptAny();
          if (st.reject) throw ActorError.forbidden('recorder rejects tokens');
          st.received.push(p);
          return 'ok';
        }),
    }),
  ],
});

function setup(): VerifregHarness & { recorder: Address; rejecter: Address; mint(to: Address, amount: bigint, operators?: Address[]): ReturnType<VerifregHarness['send']> } {
  const h = createVerifregHarness({ datacapGovernor: 'root', extraActors: [{ code: RECORDER_CODE, name: 'Recorder', actor: recorderActor }] });
  const make = (label: string, reject: boolean): Address => {
    const id = h.machine.tree.registerNewAddress(Address.newActor(new TextEncoder().encode(label)));
    h.machine.createActorRecord(id, RECORDER_CODE, { state: RecorderState.toCbor({ received: [], reject }) });
    return Address.newId(id);
  };
  const recorder = make('recorder', false);
  const rejecter = make('rejecter', true);
  const mint = (to: Address, amount: bigint, operators: Address[] = []) =>
    h.send(h.root, h.datacap, DatacapMethod.MintExported, encodeWith(MintParams, { to, amount, operators }));
  return Object.assign(h, { recorder, rejecter, mint });
}

function received(h: VerifregHarness, who: Address): FRC46TokenReceived[] {
  const rec = h.machine.getActor(who)!;
  const st = RecorderState.fromCbor(getCbor(h.machine.store, rec.head));
  return st.received.map((r) => {
    expect(r.type).toBe(FRC46_TOKEN_TYPE);
    return decodeWith(FRC46TokenReceived, r.payload);
  });
}

describe('DataCap: construction and metadata', () => {
  it('stores the governor and an empty token of bit width 3', () => {
    const h = setup();
    const st = h.datacapState();
    const empty = Hamt.empty<unknown>(h.machine.store, TOKEN_HAMT_BITWIDTH).flush();
    expect(st.governor.equals(h.root)).toBe(true);
    expect(st.token).toEqual({ supply: 0n, balances: empty, allowances: empty, hamtBitWidth: 3 });
  });

  it('refuses a constructor call from anyone but the system actor', () => {
    const h = setup();
    const r = h.send(h.other, h.datacap, DatacapMethod.Constructor, encodeWith(c.address, h.other));
    expect(r.exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('answers Name, Symbol, Granularity and TotalSupply to anyone', () => {
    const h = setup();
    expect(ret(c.string, h.send(h.other, h.datacap, DatacapMethod.NameExported))).toBe('DataCap');
    expect(ret(c.string, h.send(h.other, h.datacap, DatacapMethod.SymbolExported))).toBe('DCAP');
    expect(ret(c.u64, h.send(h.other, h.datacap, DatacapMethod.GranularityExported))).toBe(10n ** 18n);
    expect(ret(c.bigint, h.send(h.other, h.datacap, DatacapMethod.TotalSupplyExported))).toBe(0n);
  });

  it('uses the FRC-42 numbers of every method', () => {
    for (const [k, n] of Object.entries(DatacapMethod)) {
      if (k === 'Constructor') continue;
      expect([k, n]).toEqual([k, methodNumber(k.slice(0, -'Exported'.length))]);
    }
    expect(FRC46_TOKEN_TYPE).toBe(methodNumber('FRC46'));
  });
});

describe('DataCap: Mint and Destroy (governor only)', () => {
  it('mints, grants operators an infinite allowance and calls the recipient hook', () => {
    const h = setup();
    const r = h.mint(h.recorder, 5n * DC, [h.market]);
    expect(r.exitCode).toBe(0);
    expect(ret(MintReturn, r)).toEqual({ balance: 5n * DC, supply: 5n * DC, recipientData: encodeWith(c.string, 'ok') });
    expect(h.dcBalance(h.recorder)).toBe(5n * DC);
    expect(h.dcAllowance(h.recorder, h.market)).toBe(INFINITE_ALLOWANCE);
    expect(INFINITE_ALLOWANCE).toBe(10n ** 39n);
    expect(received(h, h.recorder)).toEqual([
      { from: 7n, to: h.recorder.id, operator: h.root.id, amount: 5n * DC, operatorData: new Uint8Array(0), tokenData: new Uint8Array(0) },
    ]);
    // Minting more adds up; an account recipient accepts the hook with no data.
    const r2 = h.mint(h.keys.client, 2n * DC);
    expect(ret(MintReturn, r2)).toEqual({ balance: 2n * DC, supply: 7n * DC, recipientData: new Uint8Array(0) });
    expect(checkDatacapStateInvariants(h.datacapState(), h.machine.store).acc.messages).toEqual([]);
  });

  it('reverts the mint when the recipient hook aborts, with the hook exit code', () => {
    const h = setup();
    const r = h.mint(h.rejecter, DC);
    expect(r.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.datacapState().token.supply).toBe(0n);
    expect(h.dcBalance(h.rejecter)).toBe(0n);
  });

  it('refuses non-governors, negative and fractional amounts, and unknown recipients', () => {
    const h = setup();
    expect(h.send(h.other, h.datacap, DatacapMethod.MintExported, encodeWith(MintParams, { to: h.other, amount: DC, operators: [] })).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.mint(h.client, -DC).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.mint(h.client, DC + 1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.mint(keyAddress(77), DC).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(h.datacapState().token.supply).toBe(0n);
  });

  it('destroys tokens of a holder, up to its balance', () => {
    const h = setup();
    h.mint(h.client, 10n * DC);
    const destroy = (from: Address, amount: bigint) => h.send(from, h.datacap, DatacapMethod.DestroyExported, encodeWith(DestroyParams, { owner: h.client, amount }));
    expect(destroy(h.other, DC).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(destroy(h.root, 11n * DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(destroy(h.root, DC / 2n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(ret(BurnReturn, destroy(h.root, 4n * DC))).toEqual({ balance: 6n * DC });
    expect(h.datacapState().token.supply).toBe(6n * DC);
    expect(ret(BurnReturn, destroy(h.root, 6n * DC))).toEqual({ balance: 0n });
    // A zero balance is deleted, not stored.
    expect(h.datacapState().token.balances).toEqual(Hamt.empty<unknown>(h.machine.store, 3).flush());
  });
});

describe('DataCap: Transfer (only to or from the governor)', () => {
  it('moves tokens to the governor and from the governor, calling the recipient hook', () => {
    const h = setup();
    h.mint(h.client, 10n * DC);
    h.mint(h.root, 3n * DC);
    const transfer = (from: Address, to: Address, amount: bigint, data = new Uint8Array([1, 2])) =>
      h.send(from, h.datacap, DatacapMethod.TransferExported, encodeWith(TransferParams, { to, amount, operatorData: data }));
    // Client → governor (the root key account accepts the hook).
    expect(ret(TransferReturn, transfer(h.client, h.keys.root, 4n * DC))).toEqual({ fromBalance: 6n * DC, toBalance: 7n * DC, recipientData: new Uint8Array(0) });
    // Governor → a recorder: the hook gets the operator data.
    expect(ret(TransferReturn, transfer(h.root, h.recorder, 2n * DC))).toEqual({ fromBalance: 5n * DC, toBalance: 2n * DC, recipientData: encodeWith(c.string, 'ok') });
    expect(received(h, h.recorder)).toEqual([
      { from: h.root.id, to: h.recorder.id, operator: h.root.id, amount: 2n * DC, operatorData: new Uint8Array([1, 2]), tokenData: new Uint8Array(0) },
    ]);
    expect(h.datacapState().token.supply).toBe(13n * DC);
    expect(h.invariants()).toEqual([]);
  });

  it('refuses transfers between other parties, unknown recipients, bad amounts and overdrafts', () => {
    const h = setup();
    h.mint(h.client, 10n * DC);
    const transfer = (from: Address, to: Address, amount: bigint) =>
      h.send(from, h.datacap, DatacapMethod.TransferExported, encodeWith(TransferParams, { to, amount, operatorData: new Uint8Array(0) }));
    expect(transfer(h.client, h.client2, DC).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(transfer(h.client, keyAddress(88), DC).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(transfer(h.client, h.root, DC + 1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(transfer(h.client, h.root, -DC).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(transfer(h.client, h.root, 11n * DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    // To a recipient that rejects: its code, nothing moved.
    expect(transfer(h.root, h.rejecter, 0n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.dcBalance(h.client)).toBe(10n * DC);
  });
});

describe('DataCap: allowances and TransferFrom', () => {
  it('increases, decreases (flooring at zero), revokes and reads allowances', () => {
    const h = setup();
    const inc = (from: Address, operator: Address, increase: bigint) =>
      h.send(from, h.datacap, DatacapMethod.IncreaseAllowanceExported, encodeWith(IncreaseAllowanceParams, { operator, increase }));
    const dec = (from: Address, operator: Address, decrease: bigint) =>
      h.send(from, h.datacap, DatacapMethod.DecreaseAllowanceExported, encodeWith(DecreaseAllowanceParams, { operator, decrease }));
    const allowance = (owner: Address, operator: Address) =>
      ret(c.bigint, h.send(h.other, h.datacap, DatacapMethod.AllowanceExported, encodeWith(GetAllowanceParams, { owner, operator })));
    expect(ret(c.bigint, inc(h.client, h.other, 5n))).toBe(5n);
    expect(ret(c.bigint, inc(h.client, h.keys.other, 7n))).toBe(12n);
    expect(allowance(h.keys.client, h.other)).toBe(12n);
    expect(ret(c.bigint, dec(h.client, h.other, 2n))).toBe(10n);
    expect(ret(c.bigint, dec(h.client, h.other, 0n))).toBe(10n);
    expect(inc(h.client, h.other, -1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(dec(h.client, h.other, -1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(inc(h.client, keyAddress(90), 1n).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    // Decreasing past zero floors at zero and removes the entry (and the owner's empty map).
    expect(ret(c.bigint, dec(h.client, h.other, 100n))).toBe(0n);
    expect(h.datacapState().token.allowances).toEqual(Hamt.empty<unknown>(h.machine.store, 3).flush());
    expect(ret(c.bigint, inc(h.client, h.other, 9n))).toBe(9n);
    const revoke = (operator: Address) => h.send(h.client, h.datacap, DatacapMethod.RevokeAllowanceExported, encodeWith(RevokeAllowanceParams, { operator }));
    expect(ret(c.bigint, revoke(h.other))).toBe(9n);
    expect(ret(c.bigint, revoke(h.other))).toBe(0n);
    expect(ret(c.bigint, revoke(keyAddress(91)))).toBe(0n);
    expect(allowance(h.client, h.other)).toBe(0n);
    expect(allowance(keyAddress(92), h.other)).toBe(0n);
    expect(h.invariants()).toEqual([]);
  });

  it('lets an operator transfer to the governor within its allowance', () => {
    const h = setup();
    h.mint(h.client, 10n * DC, [h.other]);
    const tf = (operator: Address, from: Address, to: Address, amount: bigint) =>
      h.send(operator, h.datacap, DatacapMethod.TransferFromExported, encodeWith(TransferFromParams, { from, to, amount, operatorData: new Uint8Array([9]) }));
    const r = tf(h.other, h.keys.client, h.root, 3n * DC);
    expect(ret(TransferFromReturn, r)).toEqual({ fromBalance: 7n * DC, toBalance: 3n * DC, allowance: INFINITE_ALLOWANCE - 3n * DC, recipientData: new Uint8Array(0) });
    // Only to the governor; never by the owner itself; only within the allowance.
    expect(tf(h.other, h.client, h.client2, DC).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(tf(h.client, h.keys.client, h.root, DC).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(tf(h.client2, h.client, h.root, DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(tf(h.other, keyAddress(93), h.root, DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(tf(h.other, h.client, h.root, 8n * DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(tf(h.other, h.client, keyAddress(94), DC).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // A limited allowance is used up exactly.
    h.send(h.client, h.datacap, DatacapMethod.IncreaseAllowanceExported, encodeWith(IncreaseAllowanceParams, { operator: h.client2, increase: 2n * DC }));
    expect(ret(TransferFromReturn, tf(h.client2, h.client, h.root, 2n * DC)).allowance).toBe(0n);
    expect(tf(h.client2, h.client, h.root, DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(h.dcBalance(h.client)).toBe(5n * DC);
    expect(h.invariants()).toEqual([]);
  });
});

describe('DataCap: operator allowances from Mint (builtin-actors datacap tests)', () => {
  it('resets the operator allowance to infinite on every mint, and spends it on TransferFrom', () => {
    const h = setup();
    h.mint(h.client, 42n * DC, [h.other]);
    h.mint(h.client, 42n * DC, [h.other]);
    expect(h.dcAllowance(h.client, h.other)).toBe(INFINITE_ALLOWANCE);
    const tf = (operator: Address, from: Address, to: Address, amount: bigint) =>
      h.send(operator, h.datacap, DatacapMethod.TransferFromExported, encodeWith(TransferFromParams, { from, to, amount, operatorData: new Uint8Array([1, 2, 3, 4]) }));
    expect(tf(h.other, h.client, h.root, 84n * DC).exitCode).toBe(0);
    expect(h.dcAllowance(h.client, h.other)).toBe(INFINITE_ALLOWANCE - 84n * DC);
    h.mint(h.client, DC, [h.other]);
    expect(h.dcAllowance(h.client, h.other)).toBe(INFINITE_ALLOWANCE);
  });

  it('never lets an operator send anywhere but to the governor, even the governor’s own tokens', () => {
    const h = setup();
    h.mint(h.client, DC, [h.other]);
    const tf = (operator: Address, from: Address, to: Address) =>
      h.send(operator, h.datacap, DatacapMethod.TransferFromExported, encodeWith(TransferFromParams, { from, to, amount: DC, operatorData: new Uint8Array(0) }));
    expect(tf(h.other, h.client, h.client2).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(tf(h.other, h.client, h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    h.mint(h.root, DC, [h.other]);
    expect(tf(h.other, h.root, h.client).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    // The governor destroys without any allowance.
    expect(h.dcAllowance(h.client, h.root)).toBe(0n);
    expect(ret(BurnReturn, h.send(h.root, h.datacap, DatacapMethod.DestroyExported, encodeWith(DestroyParams, { owner: h.client, amount: DC })))).toEqual({ balance: 0n });
  });
});

describe('DataCap: Burn and BurnFrom', () => {
  it('burns own tokens and, with an allowance, another holder’s', () => {
    const h = setup();
    h.mint(h.client, 10n * DC, [h.other]);
    const burn = (from: Address, amount: bigint) => h.send(from, h.datacap, DatacapMethod.BurnExported, encodeWith(BurnParams, { amount }));
    const burnFrom = (from: Address, owner: Address, amount: bigint) =>
      h.send(from, h.datacap, DatacapMethod.BurnFromExported, encodeWith(BurnFromParams, { owner, amount }));
    expect(ret(BurnReturn, burn(h.client, 2n * DC))).toEqual({ balance: 8n * DC });
    expect(burn(h.client, 9n * DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(burn(h.client, 1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(ret(BurnFromReturn, burnFrom(h.other, h.client, 3n * DC))).toEqual({ balance: 5n * DC, allowance: INFINITE_ALLOWANCE - 3n * DC });
    expect(burnFrom(h.client, h.client, DC).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(burnFrom(h.client2, h.client, DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(burnFrom(h.other, keyAddress(95), DC).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(h.datacapState().token.supply).toBe(5n * DC);
    expect(ret(c.bigint, h.send(h.other, h.datacap, DatacapMethod.BalanceExported, encodeWith(c.address, h.keys.client)))).toBe(5n * DC);
    expect(ret(c.bigint, h.send(h.other, h.datacap, DatacapMethod.BalanceExported, encodeWith(c.address, keyAddress(96))))).toBe(0n);
    expect(h.invariants()).toEqual([]);
  });
});

describe('DataCap invariants', () => {
  it('reports a supply that does not match the balances and a non-granular balance', () => {
    const h = setup();
    h.mint(h.client, 2n * DC);
    const st: DatacapState = h.datacapState();
    changeBalanceBy(h.machine.store, st.token, h.client.id, 1n);
    expect(checkDatacapStateInvariants(st, h.machine.store).acc.messages).toEqual([
      `owner ${h.client.id} had a balance ${2n * DC + 1n} which is not a multiple of the granularity ${DATACAP_GRANULARITY}`,
      `the total supply ${2n * DC} does not match the sum of all balances ${2n * DC + 1n}`,
    ]);
    expect(FIL).toBe(DC);
  });
});
