import type { LogRow } from '../otlp/records.js';

export type LogListener = (logs: readonly LogRow[]) => void;

/**
 * Fans committed log rows out to live follow streams. Listeners get rows only after the store
 * committed them, so a followed line is always also in the store. Each listener filters by its
 * own (token-pinned) tenant; the hub itself is tenant-blind.
 */
export class LogHub {
  private readonly listeners = new Set<LogListener>();

  publish(logs: readonly LogRow[]): void {
    for (const l of this.listeners) l(logs);
  }

  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
