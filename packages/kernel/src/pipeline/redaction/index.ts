/**
 * Redaction of everything that leaves the process: log lines (the logger applies it) and
 * span data (wire `RedactingSpanProcessor` or `RedactingSpanExporter` in front of export).
 */
export { createRedactor, defaultRedactor, UNREADABLE, TRUNCATED, CIRCULAR } from './redactor.js';
export type { Redactor } from './redactor.js';
export { redactAttributes } from './redact-attributes.js';
export { redactSpan } from './redact-span.js';
export { RedactingSpanProcessor } from './redacting-span-processor.js';
export { RedactingSpanExporter } from './redacting-span-exporter.js';
export { RedactionOptionsSchema, DEFAULT_REDACT_KEYS } from './redaction-options.js';
export type { RedactionOptions, RedactionOptionsInput } from './redaction-options.js';
export { CENSOR, DEFAULT_VALUE_PATTERNS, passesLuhn } from './value-patterns.js';
export type { ValuePattern } from './value-patterns.js';
