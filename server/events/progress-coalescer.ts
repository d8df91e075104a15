// Coalesces a busy run's progress and lease events to a few a second; its status changes and
// final state are never held back.
import type { LiveEvent } from './live-event.js';

type RunLiveEvent = LiveEvent & { kind: 'run' };

/**
 * Lets at most one progress or lease event per run through each interval; the newest one held
 * back is sent when the interval ends. Creation and status changes always pass at once, and
 * drop a held event of their run (they carry a newer state of it).
 */
export class ProgressCoalescer {
  private readonly lastSent = new Map<string, number>();
  private readonly held = new Map<string, RunLiveEvent>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly sendLate: (event: RunLiveEvent) => void,
  ) {}

  admit(event: RunLiveEvent): boolean {
    if (this.intervalMs <= 0) return true;
    if (event.change !== 'progress' && event.change !== 'lease') {
      this.held.delete(event.runId);
      return true;
    }
    const now = Date.now();
    if (this.lastSent.size > 10_000) this.forgetQuiet(now);
    const last = this.lastSent.get(event.runId);
    if (last === undefined || now - last >= this.intervalMs) {
      this.lastSent.set(event.runId, now);
      this.held.delete(event.runId);
      return true;
    }
    this.held.set(event.runId, event);
    this.timer ??= setTimeout(() => this.flush(), last + this.intervalMs - now);
    return false;
  }

  private flush(): void {
    this.timer = null;
    const now = Date.now();
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [runId, event] of this.held) {
      const due = (this.lastSent.get(runId) ?? 0) + this.intervalMs;
      if (due <= now) {
        this.held.delete(runId);
        this.lastSent.set(runId, now);
        this.sendLate(event);
      } else {
        nextDue = Math.min(nextDue, due);
      }
    }
    this.forgetQuiet(now);
    if (nextDue !== Number.POSITIVE_INFINITY) this.timer = setTimeout(() => this.flush(), nextDue - now);
  }

  /** Forgets runs quiet for a while, so the map does not grow with history. */
  private forgetQuiet(now: number): void {
    for (const [runId, at] of this.lastSent) {
      if (now - at > 10 * this.intervalMs && !this.held.has(runId)) this.lastSent.delete(runId);
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.held.clear();
  }
}
