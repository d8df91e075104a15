// One dedicated LISTEN connection per instance (not from the pool: a pooled client would be
// handed back and lose its LISTEN). A notification is only a wake-up; after a lost connection
// the listener reconnects and wakes the reader, which catches up from the event table.
import pg from 'pg';
import type { Logger } from '../logger.js';
import { EVENTS_CHANNEL } from './commit-signal.js';

export class EventListener {
  private client: pg.Client | null = null;
  /** The connection being opened or in use; events of older ones are ignored. */
  private current: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private attempts = 0;

  constructor(
    private readonly databaseUrl: string,
    private readonly onWake: () => void,
    private readonly logger: Logger,
  ) {}

  /** The backend pid of the LISTEN connection, or null while disconnected (tests terminate it). */
  pid: number | null = null;

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'syncwatch-listen' });
    this.current = client;
    client.on('notification', () => this.onWake());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      if (this.stopped) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.pid = pid;
      if (this.attempts > 0) this.logger.info('LISTEN connection restored');
      this.attempts = 0;
      this.onWake(); // events committed while we were away
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (client !== this.current || this.retryTimer || this.stopped) return; // an old connection's late echo
    this.current = null;
    this.client = null;
    this.pid = null;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    const delay = Math.min(5_000, 100 * 2 ** this.attempts++);
    this.logger.warn('LISTEN connection lost; reconnecting', { error: error ? String(error) : 'closed', delayMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  /**
   * Sends the wake-up on this connection: it holds no transaction, and unlike a pooled connection it is never busy
   * with requests' statements, so a burst of commits does not queue their wake-up behind them. Fails while down.
   */
  notify(): Promise<void> {
    const client = this.client;
    if (!client || this.pid === null) return Promise.reject(new Error('the LISTEN connection is down'));
    // One statement at a time on the connection (pg queues overlapping ones, but deprecates it).
    const sent = this.notifying.then(() => client.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`));
    this.notifying = sent.catch(() => {});
    return sent.then(() => {});
  }

  private notifying: Promise<unknown> = Promise.resolve();

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      client.removeAllListeners('error');
      client.on('error', () => {});
      await client.end().catch(() => {});
    }
  }
}
