import { codec as c, type Infer } from 'fvm-sim';

/** Account state: `[address]`, the f1 or f3 key address behind the account. */
export const AccountState = c.tuple({ address: c.address }, 'AccountState');
export type AccountState = Infer<typeof AccountState>;

/** Constructor params: a bare Address (transparent). */
export const ConstructorParams = c.address;
/** PubkeyAddress return: a bare Address. */
export const PubkeyAddressReturn = c.address;
/** AuthenticateMessage params (FIP-0044): `[signature (raw, no type byte), message]`. */
export const AuthenticateMessageParams = c.tuple({ signature: c.bytes, message: c.bytes }, 'AuthenticateMessageParams');
export type AuthenticateMessageParams = Infer<typeof AuthenticateMessageParams>;
/** AuthenticateMessage return: a bare bool. */
export const AuthenticateMessageReturn = c.bool;

/** Method numbers of the Account actor. */
export const AccountMethod = {
  Constructor: 1,
  PubkeyAddress: 2,
  /** FRC-42 number of `AuthenticateMessage` (FIP-0044). */
  AuthenticateMessage: 2643134072,
} as const;
