import { Address, ExitCode, Hamt, codec as c, decodeWith, encodeBigInt, encodeWith, methodNumber, mockSignature } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { INFINITE_ALLOWANCE } from '../datacap/types.js';
import { BatchReturn } from '../../shared/codecs.js';
import { CODES } from '../../shared/codes.js';
import { ActorError, RAW, applyImplicitMessage, defineActor, getCbor, identityCid } from 'fvm-sim';
import { DC, MiB, type VerifregHarness, createVerifregHarness, events, keyAddress, ret } from './testHarness.js';
import {
  RemoveDataCapParams,
  RemoveDataCapProposal,
  RemoveDataCapReturn,
  SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP,
  ExtendClaimTermsParams,
  GetClaimsParams,
  GetClaimsReturn,
  VerifierParams,
  VerifregMethod,
  VerifregState,
} from './types.js';

/** A user contract that calls verifreg with `[method, params]` and passes its abort through. */
const CALLER_CODE = identityCid(RAW, new TextEncoder().encode('fvm-sim/test/verifreg-caller'));
const CallParams = c.tuple({ method: c.uint, params: c.bytes });
const callerActor = defineActor({
  name: 'Caller',
  methods: [],
  fallback: (rt, _n, params) => {
    rt.validateImmediateCallerAcceptAny();
    const p = decodeWith(CallParams, params!);
    const res = rt.send(Address.newId(6n), p.method, p.params, 0n);
    if (res.exitCode !== 0) throw new ActorError(res.exitCode, 'verifreg call failed');
    return res.returnData;
  },
});

const bigintBytes = (v: bigint) => encodeBigInt(v);

describe('Verified registry: construction and method numbers', () => {
  it('stores the root key as an ID address, empty maps and next allocation ID 1', () => {
    const h = createVerifregHarness();
    const st = h.verifregState();
    const empty = Hamt.empty<unknown>(h.machine.store, 5).flush();
    expect(st).toEqual({ rootKey: h.root, verifiers: empty, removeDataCapProposalIds: empty, allocations: empty, nextAllocationId: 1n, claims: empty });
  });

  it('resolves a key-address root to its ID, and refuses an unresolvable root (16)', () => {
    const h = createVerifregHarness();
    const construct = (id: bigint, root: Address) => {
      h.machine.createActorRecord(id, CODES.verifiedregistry);
      return applyImplicitMessage(h.machine, { from: Address.newId(0n), to: Address.newId(id), method: 1, params: encodeWith(c.address, root) });
    };
    expect(construct(1000n, h.keys.root).exitCode).toBe(0);
    const st = VerifregState.fromCbor(getCbor(h.machine.store, h.machine.getActor(Address.newId(1000n))!.head));
    expect(st.rootKey.equals(h.root)).toBe(true);
    expect(construct(1001n, keyAddress(61)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('refuses a constructor from anyone but the system actor', () => {
    const h = createVerifregHarness();
    expect(h.send(h.other, h.verifreg, VerifregMethod.Constructor, encodeWith(c.address, h.other)).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('exports the FRC-42 numbers of the public methods', () => {
    for (const [k, n] of Object.entries(VerifregMethod)) {
      if (k.endsWith('Exported')) expect([k, n]).toEqual([k, methodNumber(k.slice(0, -'Exported'.length))]);
    }
    expect(VerifregMethod.UniversalReceiverHook).toBe(methodNumber('Receive'));
  });

  it('keeps internal methods from non-built-in callers (18) but serves their exported numbers', () => {
    const h = createVerifregHarness({ extraActors: [{ code: CALLER_CODE, name: 'Caller', actor: callerActor }] });
    const id = h.machine.tree.registerNewAddress(Address.newActor(new TextEncoder().encode('user contract')));
    h.machine.createActorRecord(id, CALLER_CODE);
    const viaContract = (methodNum: number, params: Uint8Array) =>
      h.send(h.other, Address.newId(id), 0x0f00_0077, encodeWith(CallParams, { method: methodNum, params }));
    const getClaims = encodeWith(GetClaimsParams, { provider: h.miner.id, claimIds: [] });
    const extend = encodeWith(ExtendClaimTermsParams, { terms: [] });
    expect(viaContract(VerifregMethod.GetClaims, getClaims).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(viaContract(VerifregMethod.ExtendClaimTerms, extend).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(viaContract(VerifregMethod.AddVerifier, encodeWith(VerifierParams, { address: h.other, allowance: MiB })).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(ret(GetClaimsReturn, viaContract(VerifregMethod.GetClaimsExported, getClaims))).toEqual({ batchInfo: { successCount: 0, failCodes: [] }, claims: [] });
    expect(ret(BatchReturn, viaContract(VerifregMethod.ExtendClaimTermsExported, extend))).toEqual({ successCount: 0, failCodes: [] });
  });

  it('answers unknown methods with 22 and malformed params with 21', () => {
    const h = createVerifregHarness();
    expect(h.send(h.other, h.verifreg, 5).exitCode).toBe(ExitCode.USR_UNHANDLED_MESSAGE);
    expect(h.send(h.other, h.verifreg, VerifregMethod.AddVerifier, new Uint8Array([0x01])).exitCode).toBe(ExitCode.USR_SERIALIZATION);
  });
});

describe('AddVerifier and RemoveVerifier (root key only)', () => {
  it('adds a verifier with its allowance and emits verifier-balance', () => {
    const h = createVerifregHarness();
    const r = h.addVerifier(h.keys.verifier, 10n * MiB);
    expect(r.exitCode).toBe(0);
    expect(h.verifierCap(h.verifier)).toBe(10n * MiB);
    expect(events(r)).toEqual([
      {
        emitter: 6n,
        type: 'verifier-balance',
        fields: { $type: 'verifier-balance', verifier: Number(h.verifier.id), balance: bigintBytes(10n * MiB) },
        flags: { $type: 3, verifier: 3, balance: 1 },
      },
    ]);
    // Adding again overwrites.
    expect(h.addVerifier(h.verifier, MiB).exitCode).toBe(0);
    expect(h.verifierCap(h.verifier)).toBe(MiB);
    expect(h.invariants()).toEqual([]);
  });

  it('creates the account of a verifier key address not yet on chain', () => {
    const h = createVerifregHarness();
    const fresh = keyAddress(60);
    expect(h.machine.tree.lookupId(fresh)).toBeUndefined();
    expect(h.addVerifier(fresh, MiB).exitCode).toBe(0);
    const id = h.machine.tree.lookupId(fresh)!;
    expect(h.verifierCap(Address.newId(id))).toBe(MiB);
  });

  it('refuses an allowance below the minimum, a non-root caller, the root itself and a verified client', () => {
    const h = createVerifregHarness();
    expect(h.addVerifier(h.verifier, MiB - 1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.addVerifier(h.verifier, MiB, h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.addVerifier(h.keys.root, MiB).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.addVerifier(h.verifier, 2n * MiB).exitCode).toBe(0);
    expect(h.addClient(h.verifier, h.client, MiB).exitCode).toBe(0);
    expect(h.addVerifier(h.client, MiB).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.verifierCap(h.client)).toBeUndefined();
  });

  it('removes a verifier (root only) and emits a zero balance', () => {
    const h = createVerifregHarness();
    h.addVerifier(h.verifier, MiB);
    const remove = (from: Address, who: Address) => h.send(from, h.verifreg, VerifregMethod.RemoveVerifier, encodeWith(c.address, who));
    expect(remove(h.other, h.verifier).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(remove(h.root, h.verifier2).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const r = remove(h.root, h.keys.verifier);
    expect(r.exitCode).toBe(0);
    expect(h.verifierCap(h.verifier)).toBeUndefined();
    expect(events(r).map((e) => [e.type, e.fields.verifier, e.fields.balance])).toEqual([['verifier-balance', Number(h.verifier.id), bigintBytes(0n)]]);
  });
});

describe('AddVerifiedClient', () => {
  it('spends the verifier allowance and mints DataCap with the market as operator', () => {
    const h = createVerifregHarness();
    h.addVerifier(h.verifier, 10n * MiB);
    const r = h.addClient(h.verifier, h.keys.client, 4n * MiB);
    expect(r.exitCode).toBe(0);
    expect(h.verifierCap(h.verifier)).toBe(6n * MiB);
    expect(h.dcBalance(h.client)).toBe(4n * MiB * DC);
    expect(h.datacapState().token.supply).toBe(4n * MiB * DC);
    expect(h.dcAllowance(h.client, h.market)).toBe(INFINITE_ALLOWANCE);
    expect(events(r).map((e) => [e.emitter, e.type, e.fields])).toEqual([
      [6n, 'verifier-balance', { $type: 'verifier-balance', verifier: Number(h.verifier.id), balance: bigintBytes(6n * MiB), client: Number(h.client.id) }],
    ]);
    // The internal number answers built-in callers (an account is one).
    expect(h.send(h.verifier, h.verifreg, VerifregMethod.AddVerifiedClient, encodeWith(VerifierParams, { address: h.client2, allowance: MiB })).exitCode).toBe(0);
    expect(h.verifierCap(h.verifier)).toBe(5n * MiB);
    expect(h.dcBalance(h.client2)).toBe(MiB * DC);
    expect(h.invariants()).toEqual([]);
  });

  it('refuses a small allowance, a non-verifier caller, the root, a verifier as client and an allowance above the cap', () => {
    const h = createVerifregHarness();
    h.addVerifier(h.verifier, 2n * MiB);
    h.addVerifier(h.verifier2, 2n * MiB);
    expect(h.addClient(h.verifier, h.client, MiB - 1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.addClient(h.other, h.client, MiB).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(h.addClient(h.verifier, h.root, MiB).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.addClient(h.verifier, h.verifier2, MiB).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.addClient(h.verifier, h.client, 2n * MiB + 1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.verifierCap(h.verifier)).toBe(2n * MiB);
    expect(h.datacapState().token.supply).toBe(0n);
    // Exactly the cap leaves a zero-allowance verifier.
    expect(h.addClient(h.verifier, h.client, 2n * MiB).exitCode).toBe(0);
    expect(h.verifierCap(h.verifier)).toBe(0n);
    expect(h.addClient(h.verifier, h.client, MiB).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });
});

describe('RemoveVerifiedClientDataCap', () => {
  function removal(h: VerifregHarness, amount: bigint, ids: [bigint, bigint], signers: [Address, Address] = [h.keys.verifier, h.keys.verifier2], verifiers: [Address, Address] = [h.verifier, h.verifier2]) {
    const payload = (id: bigint) => {
      const body = encodeWith(RemoveDataCapProposal, { verifiedClient: h.client, dataCapAmount: amount, removalProposalId: { id } });
      return new Uint8Array([...SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP, ...body]);
    };
    return encodeWith(RemoveDataCapParams, {
      verifiedClientToRemove: h.keys.client,
      dataCapAmountToRemove: amount,
      verifierRequest1: { verifier: verifiers[0], signature: mockSignature(signers[0], payload(ids[0])) },
      verifierRequest2: { verifier: verifiers[1], signature: mockSignature(signers[1], payload(ids[1])) },
    });
  }
  function setup(): VerifregHarness {
    const h = createVerifregHarness();
    h.addVerifier(h.verifier, 10n * MiB);
    h.addVerifier(h.verifier2, 10n * MiB);
    h.addClient(h.verifier, h.client, 3n * MiB);
    return h;
  }
  const REMOVE = VerifregMethod.RemoveVerifiedClientDataCap;

  it('destroys DataCap approved by two verifiers, consuming their proposal IDs', () => {
    const h = setup();
    const r = h.send(h.root, h.verifreg, REMOVE, removal(h, MiB, [0n, 0n]));
    expect(ret(RemoveDataCapReturn, r)).toEqual({ verifiedClient: h.client, dataCapRemoved: MiB });
    expect(h.dcBalance(h.client)).toBe(2n * MiB * DC);
    expect(h.datacapState().token.supply).toBe(2n * MiB * DC);
    // The same signatures cannot be replayed: the next request needs ID 1.
    expect(h.send(h.root, h.verifreg, REMOVE, removal(h, MiB, [0n, 0n])).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // More than the balance removes the balance.
    expect(ret(RemoveDataCapReturn, h.send(h.root, h.verifreg, REMOVE, removal(h, 5n * MiB, [1n, 1n])))).toEqual({ verifiedClient: h.client, dataCapRemoved: 2n * MiB });
    expect(h.dcBalance(h.client)).toBe(0n);
    // With nothing left, nothing is destroyed (and the IDs still advance).
    expect(ret(RemoveDataCapReturn, h.send(h.root, h.verifreg, REMOVE, removal(h, MiB, [2n, 2n])))).toEqual({ verifiedClient: h.client, dataCapRemoved: 0n });
    expect(h.invariants()).toEqual([]);
  });

  it('refuses a non-root caller, one verifier twice, a non-verifier, verifreg itself and a bad signature', () => {
    const h = setup();
    expect(h.send(h.other, h.verifreg, REMOVE, removal(h, MiB, [0n, 0n])).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.send(h.root, h.verifreg, REMOVE, removal(h, MiB, [0n, 1n], [h.keys.verifier, h.keys.verifier], [h.verifier, h.keys.verifier])).exitCode).toBe(
      ExitCode.USR_ILLEGAL_ARGUMENT,
    );
    expect(h.send(h.root, h.verifreg, REMOVE, removal(h, MiB, [0n, 0n], [h.keys.verifier, h.keys.other], [h.verifier, h.other])).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    const selfRemoval = encodeWith(RemoveDataCapParams, { ...decodeWith(RemoveDataCapParams, removal(h, MiB, [0n, 0n])), verifiedClientToRemove: h.verifreg });
    expect(h.send(h.root, h.verifreg, REMOVE, selfRemoval).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // verifier2's signature made by another key: the account refuses it; the IDs are restored.
    expect(h.send(h.root, h.verifreg, REMOVE, removal(h, MiB, [0n, 0n], [h.keys.verifier, h.keys.other])).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(ret(RemoveDataCapReturn, h.send(h.root, h.verifreg, REMOVE, removal(h, MiB, [0n, 0n]))).dataCapRemoved).toBe(MiB);
  });
});

