/**
 * The embedded default's job engine across two OS processes, with no Redis: the service sends
 * each job to its forked worker over Node's IPC channel, and the worker runs it with the
 * kernel's in-process engine (the same attempts and exponential backoff as BullMQ). Nothing
 * survives a restart, as with any in-process engine; `--services` uses BullMQ instead.
 *
 * Context is not this file's business: `createJobs()` puts the trace context, tenant and request
 * id in the message on one side and rehydrates them on the other, whichever engine carries it.
 */
import type { ChildProcess } from 'node:child_process';
import { inProcessJobEngine } from '@stitch/kernel/jobs';
import type { EngineSendOptions, JobEngine } from '@stitch/kernel/jobs';

type JobMessage = Parameters<JobEngine['send']>[1];

/** What travels over the channel: a job, a question whether the worker is idle, its answer. */
export type WorkerMessage =
  | { readonly type: 'job'; readonly name: string; readonly message: JobMessage; readonly options: Omit<EngineSendOptions, 'db'> }
  | { readonly type: 'idle?'; readonly id: number }
  | { readonly type: 'idle'; readonly id: number }
  | { readonly type: 'flush?'; readonly id: number }
  | { readonly type: 'flushed'; readonly id: number }
  | { readonly type: 'ready' }
  | { readonly type: 'start' }
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'stop' };

/** The service's side: sends jobs to the worker process; runs none itself. */
export function ipcSenderEngine(worker: ChildProcess): JobEngine & { idle(): Promise<void> } {
  let nextId = 0;
  return {
    kind: 'ipc',
    async send(name, message, { db: _db, ...options }) {
      const payload: WorkerMessage = { type: 'job', name, message, options };
      await new Promise<void>((resolve, reject) => worker.send(payload, (error) => (error === null ? resolve() : reject(error))));
      return options.runId;
    },
    async work(name) {
      throw new Error(`ipcSenderEngine runs no jobs: ${name} belongs to the worker process`);
    },
    async close() {},
    /** Resolves when the worker has run every job sent so far, retries included. */
    idle() {
      const id = (nextId += 1);
      return new Promise<void>((resolve) => {
        const onMessage = (m: WorkerMessage): void => {
          if (m.type !== 'idle' || m.id !== id) return;
          worker.off('message', onMessage);
          resolve();
        };
        worker.on('message', onMessage);
        worker.send({ type: 'idle?', id } satisfies WorkerMessage);
      });
    },
  };
}

/** The worker's side: jobs arrive from the parent and run on the kernel's in-process engine. */
export function ipcReceiverEngine(onStop: () => void): JobEngine {
  const local = inProcessJobEngine();
  process.on('message', (m: WorkerMessage) => {
    if (m.type === 'job') void local.send(m.name, m.message, m.options);
    else if (m.type === 'idle?') void local.idle().then(() => process.send?.({ type: 'idle', id: m.id } satisfies WorkerMessage));
    else if (m.type === 'stop') onStop();
  });
  return { kind: 'ipc', send: local.send, work: local.work, close: local.close };
}
