import { ActorError, Address, applyMessage, ExitCode, FIL, RAW, codec as c, defineActor, encodeWith, getCbor, identityCid, method, Hamt } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../devnet/devnet.js';
import { CODES } from '../../shared/codes.js';
import { INIT_ACTOR_ADDR } from '../../shared/singletons.js';
import { AccountMethod } from '../account/types.js';
import { ADDRESS_MAP_BITWIDTH, canExec } from './actor.js';
import { ExecParams, ExecReturn, InitMethod, InitState } from './types.js';

// A user contract: stores who deployed it; can ask an account for its key address (an internal
// built-in method, which user actors may not call) and can fail its constructor on request.
const Greeter = c.tuple({ deployer: c.address });
const greeter = defineActor({
  name: 'greeter',
  methods: [
    method({ number: 1, name: 'Constructor', params: c.bool, returns: c.unit, handler: (rt, fail) => {
      rt.validateImmediateCallerAcceptAny();
      if (fail) throw ActorError.illegalArgument('constructor refuses');
      rt.createState(Greeter, { deployer: rt.message.origin });
      return null;
    } }),
    method({ number: 2, name: 'AskPubkey', params: c.address, returns: c.uint, handler: (rt, who) => {
      rt.validateImmediateCallerAcceptAny();
      return rt.send(who, AccountMethod.PubkeyAddress, null, 0n).exitCode;
    } }),
  ],
});
const GREETER_CODE = identityCid(RAW, new TextEncoder().encode('example/greeter'));

function setup() {
  const net = createDevnet({ accounts: [{ balance: FIL(100) }] });
  net.machine.registry.register({ code: GREETER_CODE, name: 'greeter', builtin: false, actor: greeter });
  const [alice] = net.genesisAccounts;
  const exec = (code = GREETER_CODE, fail = false, value = 0n) =>
    net.send({ from: alice!, to: INIT_ACTOR_ADDR, method: InitMethod.Exec, params: encodeWith(ExecParams, { codeCid: code, constructorParams: encodeWith(c.bool, fail) }), value, gasLimit: 5_000_000_000n });
  const initState = () => InitState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(1n)!.head));
  return { net, alice: alice!, exec, initState };
}

describe('init actor', () => {
  it('deploys a user actor: next ID, f2 address mapped, constructor run with the value', () => {
    const { net, alice, exec, initState } = setup();
    const before = initState();
    expect(before.nextId).toBe(101n);
    const r = exec(GREETER_CODE, false, FIL(2));
    expect(r.exitCode).toBe(ExitCode.OK);
    const ret = c.decodeWith(ExecReturn, r.returnData!);
    expect(ret.idAddress.toString()).toBe('f0101');
    expect(ret.robustAddress.protocol).toBe(2);
    const after = initState();
    expect(after.nextId).toBe(102n);
    // The address map round-trips: f2 → 101, readable through the engine's resolution too.
    expect(Hamt.load(net.machine.store, after.addressMap, ADDRESS_MAP_BITWIDTH).get(ret.robustAddress.bytes)).toBe(101);
    expect(net.machine.tree.lookupId(ret.robustAddress)).toBe(101n);
    expect(net.balance(ret.idAddress)).toBe(FIL(2));
    expect(Greeter.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(101n)!.head)).deployer.equals(alice.idAddress)).toBe(true);
    // The f2 address is deterministic: blake2b-160(origin ‖ nonce ‖ actors created).
    const again = exec();
    expect(c.decodeWith(ExecReturn, again.returnData!).robustAddress.equals(ret.robustAddress)).toBe(false);
  });

  it('leaves no trace when the constructor aborts', () => {
    const { net, exec, initState } = setup();
    const root = () => { const st = initState(); return [st.nextId, st.addressMap.toString()]; };
    const before = root();
    const r = exec(GREETER_CODE, true, FIL(1));
    expect(r.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(root()).toEqual(before);
    expect(net.machine.tree.getActor(101n)).toBeUndefined();
  });

  it('lets only Power create miners and refuses other built-ins (USR_FORBIDDEN)', () => {
    const { exec } = setup();
    expect(exec(CODES.cron).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(exec(CODES.account).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(canExec('storagepower', 'storageminer')).toBe(true);
    expect(canExec('account', 'multisig')).toBe(true);
    expect(canExec('account', 'paymentchannel')).toBe(true);
    expect(canExec(undefined, 'storageminer')).toBe(false);
  });

  it('answers Exec4 only to the EAM', () => {
    const { net, alice } = setup();
    const r = net.send({ from: alice, to: INIT_ACTOR_ADDR, method: InitMethod.Exec4, params: encodeWith(c.tuple({ a: c.cid, b: c.bytes, s: c.bytes }), { a: GREETER_CODE, b: new Uint8Array(), s: new Uint8Array(20) }), gasLimit: 1_000_000_000n });
    expect(r.exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('refuses internal built-in methods to user actors (restrict_internal_api)', () => {
    const { net, alice, exec } = setup();
    const id = c.decodeWith(ExecReturn, exec().returnData!).idAddress;
    const r = net.send({ from: alice, to: id, method: 2, params: encodeWith(c.address, alice.idAddress), gasLimit: 1_000_000_000n });
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(c.decodeWith(c.uint, r.returnData!)).toBe(ExitCode.USR_FORBIDDEN);
    // An account (a built-in) may call it.
    const direct = net.send({ from: alice, to: alice.idAddress, method: AccountMethod.PubkeyAddress, gasLimit: 1_000_000_000n });
    expect(direct.exitCode).toBe(ExitCode.OK);
    expect(c.decodeWith(c.address, direct.returnData!).equals(alice.address)).toBe(true);
  });

  it('creates a placeholder for an unknown f410 address and an account for an unknown f1', () => {
    const { net, alice } = setup();
    const eth = Address.fromEthAddress('0x1234567890123456789012345678901234567890');
    expect(net.send({ from: alice, to: eth, value: 5n }).exitCode).toBe(ExitCode.OK);
    const id = net.machine.tree.lookupId(eth)!;
    const rec = net.machine.tree.getActor(id)!;
    expect(rec.code.equals(CODES.placeholder)).toBe(true);
    expect(rec.delegatedAddress!.equals(eth)).toBe(true);
    expect(rec.balance).toBe(5n);
    // Any method on a placeholder succeeds; accounts accept FRC-42 methods but not unknown internal ones.
    expect(net.send({ from: alice, to: eth, method: 3726118371 }).exitCode).toBe(ExitCode.OK);
    expect(net.send({ from: alice, to: alice.idAddress, method: 3726118371 }).exitCode).toBe(ExitCode.OK);
    expect(net.send({ from: alice, to: alice.idAddress, method: 7, gasLimit: 1_000_000_000n }).exitCode).toBe(ExitCode.USR_UNHANDLED_MESSAGE);
    // Unknown f2 and f0 receivers cannot be created: SYS_INVALID_RECEIVER.
    expect(net.send({ from: alice, to: Address.newActor(Uint8Array.of(9)), value: 1n, gasLimit: 1_000_000_000n }).exitCode).toBe(ExitCode.SYS_INVALID_RECEIVER);
  });

  it('promotes a placeholder to an EthAccount on its first message (FIP-0055)', () => {
    const { net, alice } = setup();
    const eth = Address.fromEthAddress('0x00000000000000000000000000000000000000aa');
    net.send({ from: alice, to: eth, value: FIL(1) });
    const id = net.machine.tree.lookupId(eth)!;
    const r = applyMessage(net.machine, { from: eth, to: alice.address, nonce: 0n, value: 7n, method: 0, gasLimit: 10_000_000n, gasFeeCap: 1000n, gasPremium: 10n });
    expect(r.exitCode).toBe(ExitCode.OK);
    const rec = net.machine.tree.getActor(id)!;
    expect(rec.code.equals(CODES.ethaccount)).toBe(true);
    expect(rec.sequence).toBe(1n);
  });

  it('checks the account constructor caller and address protocol', () => {
    const { net } = setup();
    const viaSystem = (addr: Address) => net.impersonate({ from: Address.newId(0n), to: Address.newId(100n), method: 1, params: encodeWith(c.address, addr) });
    // Re-constructing an existing account is refused (state already there) …
    expect(viaSystem(Address.newSecp256k1(new Uint8Array(65).fill(4))).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    // … an ID address is not a key address …
    expect(viaSystem(Address.newId(5n)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // … and only the system actor may construct.
    expect(net.impersonate({ from: Address.newId(100n), to: Address.newId(100n), method: 1, params: encodeWith(c.address, Address.newId(5n)) }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });
});
