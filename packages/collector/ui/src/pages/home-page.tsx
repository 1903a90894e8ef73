import type { QuestionEntry, QuestionsResponse } from '@stitch/contract';
import type { ApiState } from '../api/use-api.js';
import { Loaded } from '../components/common.js';
import { OpenTraceForm } from '../components/open-trace-form.js';
import { splitQuestions } from '../../../src/ui-model/question-nav.js';

/**
 * `#/`: the landing page lists the questions Stitch answers, from the collector's own registry
 * (`GET /api/questions`), each one click from its page. A pasted trace id opens the trace here,
 * so the trace-id questions need no click at all.
 */
export function HomePage({ questions }: { questions: ApiState<QuestionsResponse> }) {
  return (
    <section class="home">
      <OpenTraceForm size={48} placeholder="32 hex digits: its tenant, tree, logs and jobs" button="Open trace" />
      <Loaded state={questions}>
        {(data) => {
          const { asked, other } = splitQuestions(data.questions);
          return (
            <>
              <h2>Questions</h2>
              <table class="grid questions" data-testid="questions">
                <thead>
                  <tr>
                    <th>Question</th>
                    <th>Answered on</th>
                    <th>Command</th>
                    <th>API</th>
                  </tr>
                </thead>
                <tbody>
                  {asked.map((q) => (
                    <QuestionRow q={q} />
                  ))}
                  <tr class="section">
                    <th colSpan={4}>Other views</th>
                  </tr>
                  {other.map((q) => (
                    <QuestionRow q={q} />
                  ))}
                </tbody>
              </table>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function QuestionRow({ q }: { q: QuestionEntry }) {
  return (
    <tr data-question={q.name}>
      <td>
        <strong>{q.asks ?? q.name}</strong>
        <div class="muted small">{q.summary}</div>
      </td>
      <td>{q.ui ? <a href={q.ui.path}>{q.ui.label}</a> : <span class="muted">{q.command ? 'CLI and API only' : 'API only'}</span>}</td>
      <td>{q.command ? <code>{q.command}</code> : <span class="muted">–</span>}</td>
      <td>
        <code class="muted">GET {q.route}</code>
      </td>
    </tr>
  );
}
