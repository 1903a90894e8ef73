import type { Question } from '../question.js';
import { auditQuestion } from './audit.js';
import { errorsQuestion } from './errors.js';
import { jobQuestion } from './job.js';
import { logsQuestion } from './logs.js';
import { overviewQuestion } from './overview.js';
import { queriesQuestion } from './queries.js';
import { requestQuestion } from './request.js';
import { retriesQuestion } from './retries.js';
import { searchQuestion } from './search.js';
import { serviceMapQuestion } from './service-map.js';
import { slowQuestion } from './slow.js';
import { statusQuestion } from './status.js';
import { tenantsQuestion } from './tenants.js';
import { traceQuestion } from './trace.js';
import { violationsQuestion } from './violations.js';
import { webhooksQuestion } from './webhooks.js';

/**
 * Every question Stitch answers, in the order `stitch --help` and the UI's landing page list
 * them: the seed questions first, then the plumbing. Adding a question is adding its file here.
 */
export const QUESTIONS: readonly Question[] = [
  slowQuestion,
  queriesQuestion,
  webhooksQuestion,
  jobQuestion,
  requestQuestion,
  errorsQuestion,
  retriesQuestion,
  violationsQuestion,
  traceQuestion,
  logsQuestion,
  searchQuestion,
  overviewQuestion,
  serviceMapQuestion,
  tenantsQuestion,
  statusQuestion,
  auditQuestion,
];

export function questionNamed(name: string): Question | undefined {
  return QUESTIONS.find((q) => q.name === name);
}
