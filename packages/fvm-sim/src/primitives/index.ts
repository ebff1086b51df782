export * from './address.js';
export * from './varint.js';
export * from './methodNumber.js';
export * from './token.js';
export * from './exitCode.js';
export * from './signature.js';
