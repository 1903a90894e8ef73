/**
 * `stitch serve` as a process (issue 15, "Processes"): the server runs in the process the user
 * started, so `kill -9` leaves nothing behind holding the port or the DuckDB lock, and one
 * SIGINT or SIGTERM stops it cleanly. Runs the compiled binary (bin/stitch.js → dist/), built by
 * `npm test` before the tests run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/stitch.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stitch-serve-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `stitch serve` and resolves with the process and its OTLP/HTTP port once it listens. */
async function serve(port: number, data: string): Promise<{ child: ChildProcessWithoutNullStreams; port: number }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--grpc-port', 'off', '--data', data], { env: { PATH: process.env.PATH } });
  child.stdout.resume();
  let stderr = '';
  const listening = await new Promise<number>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const found = /receiving OTLP\/HTTP on http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (found) resolve(Number(found[1]));
    });
    child.once('exit', (code) => reject(new Error(`stitch serve exited (${String(code)}): ${stderr}`)));
  });
  return { child, port: listening };
}

function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Whether this process can bind `port` on 127.0.0.1: nobody else holds it. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('stitch serve as a process', () => {
  it('leaves no process behind on kill -9: its port and its DuckDB file are free for the next serve at once', async () => {
    const data = join(dir, 'killed.duckdb');
    const first = await serve(0, data);
    first.child.kill('SIGKILL');
    expect(await exitOf(first.child)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await portIsFree(first.port)).toBe(true);
    // Same port, same store: an orphan would hold one or the other (EADDRINUSE, DuckDB's lock).
    const second = await serve(first.port, data);
    try {
      expect(second.port).toBe(first.port);
      expect((await fetch(`http://127.0.0.1:${second.port}/healthz`)).status).toBe(200);
    } finally {
      second.child.kill('SIGKILL');
      await exitOf(second.child);
    }
  }, 60_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops on one ${signal}, exit code 0, and frees its port`, async () => {
      const { child, port } = await serve(0, join(dir, `${signal}.duckdb`));
      child.kill(signal);
      expect(await exitOf(child)).toEqual({ code: 0, signal: null });
      expect(await portIsFree(port)).toBe(true);
    }, 60_000);
  }
});
