/**
 * Test helpers for code built on the engine: fixture actors and a ready test machine.
 *
 * @packageDocumentation
 */
export * from './fixtures.js';
