import { z } from 'zod';

/** Options of the logger (section `logs` of the Stitch config). Every field has a default. */
export const LogOptionsSchema = z.object({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
export type LogOptions = z.infer<typeof LogOptionsSchema>;
