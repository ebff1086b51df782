/**
 * DataCap actor types: the token state, the params and returns of every method (FRC-46 and the
 * governor's Mint/Destroy), the receiver-hook payload, and the method numbers.
 *
 * - Source: builtin-actors `actors/datacap/src/{lib,state,types}.rs`; actors-utils v15
 *   `frc46_token/src/token/{state,types}.rs`, `frc46_token/src/receiver.rs`,
 *   `fvm_actor_utils/src/receiver/mod.rs`.
 *
 * @module
 */
import { type Infer, codec as c } from 'fvm-sim';

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** Atto-tokens per whole token (`frc46_token::token::TOKEN_PRECISION`). */
export const TOKEN_PRECISION = 10n ** 18n;
/** DataCap's granularity: only whole tokens (one token = one byte of DataCap) move (`DATACAP_GRANULARITY`). */
export const DATACAP_GRANULARITY = TOKEN_PRECISION;
/** The allowance Mint grants operators: 10^18 × 10^21 atto-tokens, "> 800 EiB" (datacap `INFINITE_ALLOWANCE`). */
export const INFINITE_ALLOWANCE = TOKEN_PRECISION * 10n ** 21n;
/** Bit width of the token's balance and allowance HAMTs (`frc46_token` `DEFAULT_HAMT_BIT_WIDTH`). */
export const TOKEN_HAMT_BITWIDTH = 3;
/** The token's name (datacap `name`). */
export const DATACAP_NAME = 'DataCap';
/** The token's symbol (datacap `symbol`). */
export const DATACAP_SYMBOL = 'DCAP';

/** FRC-42 number of the universal receiver hook `Receive` (`RECEIVER_HOOK_METHOD_NUM`). */
export const RECEIVER_HOOK_METHOD = 3726118371;
/** Asset type of an FRC-46 transfer in the receiver hook: FRC-42 hash of "FRC46" (`FRC46_TOKEN_TYPE`). */
export const FRC46_TOKEN_TYPE = 2233613279;

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/**
 * The FRC-46 token state (`frc46_token::token::state::TokenState`): `[supply, balances,
 * allowances, hamt_bit_width]`. Balances: HAMT<varint ActorID, TokenAmount>, no zero entries.
 * Allowances: HAMT<varint owner, CID of HAMT<varint operator, TokenAmount>>, no zero entries and
 * no empty inner maps.
 */
export const TokenState = c.tuple(
  {
    supply: c.bigint,
    balances: c.cid,
    allowances: c.cid,
    hamtBitWidth: c.uint,
  },
  'TokenState',
);
export type TokenState = Infer<typeof TokenState>;

/** The DataCap actor's state (datacap `state.rs`): `[governor, token]`. The governor is verifreg (f06). */
export const DatacapState = c.tuple({ governor: c.address, token: TokenState }, 'DatacapState');
export type DatacapState = Infer<typeof DatacapState>;

// ---------------------------------------------------------------------------------------------
// Params and returns
// ---------------------------------------------------------------------------------------------

/** Constructor params: the governor's address, bare (transparent). */
export const DatacapConstructorParams = c.address;
/** Name return: a bare string. */
export const NameReturn = c.string;
/** Symbol return: a bare string. */
export const SymbolReturn = c.string;
/** Granularity return: a bare u64. */
export const GranularityReturn = c.u64;
/** TotalSupply return: a bare TokenAmount. */
export const TotalSupplyReturn = c.bigint;
/** Balance params: a bare address. */
export const BalanceParams = c.address;
/** Balance return: a bare TokenAmount. */
export const BalanceReturn = c.bigint;

/** Mint params (governor only): `[to, amount, operators]`; operators get an infinite allowance. */
export const MintParams = c.tuple({ to: c.address, amount: c.bigint, operators: c.array(c.address) }, 'MintParams');
export type MintParams = Infer<typeof MintParams>;
/** Mint return: `[balance, supply, recipient_data]`. */
export const MintReturn = c.tuple({ balance: c.bigint, supply: c.bigint, recipientData: c.bytes }, 'MintReturn');
export type MintReturn = Infer<typeof MintReturn>;

/** Destroy params (governor only): `[owner, amount]`. */
export const DestroyParams = c.tuple({ owner: c.address, amount: c.bigint }, 'DestroyParams');
export type DestroyParams = Infer<typeof DestroyParams>;

/** Transfer params: `[to, amount, operator_data]`. */
export const TransferParams = c.tuple({ to: c.address, amount: c.bigint, operatorData: c.bytes }, 'TransferParams');
export type TransferParams = Infer<typeof TransferParams>;
/** Transfer return: `[from_balance, to_balance, recipient_data]`. */
export const TransferReturn = c.tuple({ fromBalance: c.bigint, toBalance: c.bigint, recipientData: c.bytes }, 'TransferReturn');
export type TransferReturn = Infer<typeof TransferReturn>;

/** TransferFrom params: `[from, to, amount, operator_data]`. */
export const TransferFromParams = c.tuple({ from: c.address, to: c.address, amount: c.bigint, operatorData: c.bytes }, 'TransferFromParams');
export type TransferFromParams = Infer<typeof TransferFromParams>;
/** TransferFrom return: `[from_balance, to_balance, allowance, recipient_data]`. */
export const TransferFromReturn = c.tuple(
  { fromBalance: c.bigint, toBalance: c.bigint, allowance: c.bigint, recipientData: c.bytes },
  'TransferFromReturn',
);
export type TransferFromReturn = Infer<typeof TransferFromReturn>;

/** IncreaseAllowance params: `[operator, increase]`. */
export const IncreaseAllowanceParams = c.tuple({ operator: c.address, increase: c.bigint }, 'IncreaseAllowanceParams');
export type IncreaseAllowanceParams = Infer<typeof IncreaseAllowanceParams>;
/** DecreaseAllowance params: `[operator, decrease]`. */
export const DecreaseAllowanceParams = c.tuple({ operator: c.address, decrease: c.bigint }, 'DecreaseAllowanceParams');
export type DecreaseAllowanceParams = Infer<typeof DecreaseAllowanceParams>;
/** RevokeAllowance params: `[operator]`. */
export const RevokeAllowanceParams = c.tuple({ operator: c.address }, 'RevokeAllowanceParams');
export type RevokeAllowanceParams = Infer<typeof RevokeAllowanceParams>;
/** Increase/DecreaseAllowance return: the new allowance, bare. */
export const AllowanceChangeReturn = c.bigint;
/** RevokeAllowance return: the old allowance, bare. */
export const RevokeAllowanceReturn = c.bigint;
/** Allowance params: `[owner, operator]`. */
export const GetAllowanceParams = c.tuple({ owner: c.address, operator: c.address }, 'GetAllowanceParams');
export type GetAllowanceParams = Infer<typeof GetAllowanceParams>;
/** Allowance return: a bare TokenAmount. */
export const GetAllowanceReturn = c.bigint;

/** Burn params: `[amount]`. */
export const BurnParams = c.tuple({ amount: c.bigint }, 'BurnParams');
export type BurnParams = Infer<typeof BurnParams>;
/** Burn and Destroy return: `[balance]`. */
export const BurnReturn = c.tuple({ balance: c.bigint }, 'BurnReturn');
export type BurnReturn = Infer<typeof BurnReturn>;
/** BurnFrom params: `[owner, amount]`. */
export const BurnFromParams = c.tuple({ owner: c.address, amount: c.bigint }, 'BurnFromParams');
export type BurnFromParams = Infer<typeof BurnFromParams>;
/** BurnFrom return: `[balance, allowance]`. */
export const BurnFromReturn = c.tuple({ balance: c.bigint, allowance: c.bigint }, 'BurnFromReturn');
export type BurnFromReturn = Infer<typeof BurnFromReturn>;

// ---------------------------------------------------------------------------------------------
// Receiver hook
// ---------------------------------------------------------------------------------------------

/** Params of the universal receiver hook `Receive`: `[type_, payload]` (`UniversalReceiverParams`). */
export const UniversalReceiverParams = c.tuple({ type: c.uint, payload: c.bytes }, 'UniversalReceiverParams');
export type UniversalReceiverParams = Infer<typeof UniversalReceiverParams>;

/**
 * The FRC-46 payload of the hook (`FRC46TokenReceived`): `[from, to, operator, amount,
 * operator_data, token_data]`, parties as actor IDs. For a mint, `from` is the token actor.
 */
export const FRC46TokenReceived = c.tuple(
  { from: c.u64, to: c.u64, operator: c.u64, amount: c.bigint, operatorData: c.bytes, tokenData: c.bytes },
  'FRC46TokenReceived',
);
export type FRC46TokenReceived = Infer<typeof FRC46TokenReceived>;

// ---------------------------------------------------------------------------------------------
// Method numbers
// ---------------------------------------------------------------------------------------------

/** Method numbers of the DataCap actor: the constructor, and FRC-42 numbers only (legacy 2–21 were removed in v10). */
export const DatacapMethod = {
  Constructor: 1,
  MintExported: 116935346,
  DestroyExported: 2624896501,
  NameExported: 48890204,
  SymbolExported: 2061153854,
  GranularityExported: 3936767397,
  TotalSupplyExported: 114981429,
  BalanceExported: 3261979605,
  TransferExported: 80475954,
  TransferFromExported: 3621052141,
  IncreaseAllowanceExported: 1777121560,
  DecreaseAllowanceExported: 1529376545,
  RevokeAllowanceExported: 2765635761,
  BurnExported: 1434719642,
  BurnFromExported: 2979674018,
  AllowanceExported: 4205072950,
} as const;
