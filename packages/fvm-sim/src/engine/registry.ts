import type { CID } from 'multiformats/cid';
import { FvmSimError } from '../errors/base.js';
import type { ActorCode } from '../runtime/runtime.js';
import { cidKey } from '../ipld/cid.js';

/** An actor implementation registered under a code CID. */
export interface ActorRegistration {
  /** The code CID actors of this kind carry in the state tree. */
  readonly code: CID;
  /** Type name: the built-in type (`'account'`, `'miner'`…) or a user actor's name. */
  readonly name: string;
  /** Whether this is a built-in actor (part of the network's bundle). */
  readonly builtin: boolean;
  /** The implementation. */
  readonly actor: ActorCode;
}

/** Thrown for registry misuse: a code CID or built-in name registered twice or not found. */
export class ActorRegistryError extends FvmSimError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/**
 * The actor bundle: which implementation runs for which code CID (ref-fvm's machine manifest).
 * The engine knows no actor; built-in actors and user contracts are both registered here.
 */
export class ActorRegistry {
  private readonly byCodeKey = new Map<string, ActorRegistration>();
  private readonly builtinByName = new Map<string, ActorRegistration>();
  /**
   * Lookups by CID object: every call looks up its receiver's code, and the code CID of an actor
   * record is one long-lived object, so this skips building its key (a twentieth of a quiet epoch).
   * Cleared when a registration is added (a miss may have become a hit).
   */
  private byObject = new WeakMap<CID, ActorRegistration | null>();

  /**
   * Registers an implementation.
   *
   * @throws {@link ActorRegistryError} if the code CID (or built-in name) is already registered.
   */
  register(reg: ActorRegistration): void {
    const key = cidKey(reg.code);
    if (this.byCodeKey.has(key)) {
      throw new ActorRegistryError('ACTOR_CODE_TAKEN', `code CID ${reg.code.toString()} is already registered (as ${this.byCodeKey.get(key)!.name}); give each actor its own code CID`);
    }
    if (reg.builtin) {
      if (this.builtinByName.has(reg.name)) throw new ActorRegistryError('ACTOR_NAME_TAKEN', `built-in actor type '${reg.name}' is already registered`);
      this.builtinByName.set(reg.name, reg);
    }
    this.byCodeKey.set(key, reg);
    this.byObject = new WeakMap();
  }

  /** The registration of a code CID, or undefined. */
  byCode(code: CID): ActorRegistration | undefined {
    let reg = this.byObject.get(code);
    if (reg === undefined) {
      reg = this.byCodeKey.get(cidKey(code)) ?? null;
      this.byObject.set(code, reg);
    }
    return reg ?? undefined;
  }

  /** The built-in registration of a type name, or undefined. */
  builtin(name: string): ActorRegistration | undefined {
    return this.builtinByName.get(name);
  }

  /**
   * The code CID of a built-in type.
   *
   * @throws {@link ActorRegistryError} when no such built-in is registered.
   */
  builtinCode(name: string): CID {
    const reg = this.builtinByName.get(name);
    if (reg === undefined) throw new ActorRegistryError('ACTOR_TYPE_UNKNOWN', `no built-in actor of type '${name}' is registered in this machine's bundle`);
    return reg.code;
  }

  /** The built-in type name of a code CID, or undefined for user actors and unknown codes. */
  builtinType(code: CID): string | undefined {
    const reg = this.byCode(code);
    return reg?.builtin ? reg.name : undefined;
  }

  /** Every registration. */
  all(): IterableIterator<ActorRegistration> {
    return this.byCodeKey.values();
  }
}
