/**
 * The one error class Stitch throws lives in the contract, shared with the collector (one class,
 * one registry of codes); the kernel's modules import it from here.
 */
export { StitchError, isStitchError } from '@stitch/contract';
export type { StitchErrorOptions } from '@stitch/contract';
