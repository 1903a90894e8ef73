import { z } from 'zod';

export const QuestionEntrySchema = z.object({
  /** The CLI command and the question's key. */
  name: z.string(),
  /** The user's question, as the seeds ask it; null for plumbing (status, audit). */
  asks: z.string().nullable(),
  summary: z.string(),
  /** The GET route under /api. */
  route: z.string(),
  /** The command a user types, or null when only the UI asks it. */
  command: z.string().nullable(),
  /** The UI's hash route that answers it, or null. */
  ui: z.object({ path: z.string(), label: z.string() }).nullable(),
});

/** `GET /api/questions` — every question the collector answers, derived from its registry. */
export const QuestionsResponseSchema = z.object({ questions: z.array(QuestionEntrySchema) });

export type QuestionEntry = z.infer<typeof QuestionEntrySchema>;
export type QuestionsResponse = z.infer<typeof QuestionsResponseSchema>;
