/** OTLP's span status codes as the CLI prints them. */
export const SPAN_STATUS = ['unset', 'ok', 'error'] as const;
