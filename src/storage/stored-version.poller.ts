import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DATABASE, DATABASE_TARGET, type GatewayDatabase } from './database.types.js';
import type { DatabaseTarget } from './database-target.js';
import { StoredVersionReader, type StoredVersions } from './stored-version.reader.js';

/** A cache that reloads when its stored version moves. */
export interface VersionWatch {
  /** The version the cache holds now (-1 before its first load). */
  loaded(): number;
  /** The stored version differs from `loaded()`, or could not be read: reload (and report). */
  stale(): void;
}

/**
 * The one poll of the stored versions (policies; budgets and prices) that tells each replica its
 * caches are stale when another process wrote the shared database. One timer for both, at the
 * shorter of their intervals, so each is still checked at least as often as configured. A tick
 * that finds nothing changed allocates (next to) nothing: on a SQLite file the versions are read
 * synchronously through prepared statements (see {@link StoredVersionReader}): no query builder,
 * no promise. (V8's memory reducer did not wait on the old polls: bench/README.md, 2026-12-07.)
 *
 * A read that fails tells every watcher its cache may be stale: each then reloads through its
 * repository as before, which keeps what is in force and logs why when storage does not answer.
 */
@Injectable()
export class StoredVersionPoller
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Storage');
  private readonly watches: { name: keyof StoredVersions; watch: VersionWatch }[] = [];
  private intervalMs = Infinity;
  private timer?: NodeJS.Timeout;
  private reader?: StoredVersionReader;
  private opening?: Promise<void>;
  private reading = false;
  private stopped = false;

  constructor(
    @Inject(DATABASE) private readonly db: GatewayDatabase,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
  ) {}

  /** Polls the `name` version at least every `intervalMs` for `watch` (from bootstrap on). */
  watch(name: keyof StoredVersions, intervalMs: number, watch: VersionWatch): void {
    this.watches.push({ name, watch });
    if (intervalMs >= this.intervalMs) return;
    this.intervalMs = intervalMs;
    this.schedule();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.opening = this.open();
    await this.opening;
  }

  /** Stops polling before any shutdown hook runs, so no tick reaches a database being closed. */
  beforeApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.beforeApplicationShutdown();
    await this.opening;
    this.reader?.close();
  }

  /** Polls once now (what every tick does). */
  tick = (): void => {
    if (this.reading || this.reader === undefined) return;
    let read: true | Promise<void>;
    try {
      read = this.reader.read();
    } catch {
      this.allStale();
      return;
    }
    if (read === true) {
      this.compare();
      return;
    }
    this.reading = true;
    read.then(this.afterRead, this.afterFailedRead);
  };

  private async open(): Promise<void> {
    try {
      this.reader = await StoredVersionReader.open(this.target, this.db);
    } catch (error) {
      this.logger.warn(
        `Could not open a connection to poll the stored versions (${error instanceof Error ? error.message : String(error)}); polling through the gateway's database.`,
      );
      this.reader = StoredVersionReader.overQueries(this.db);
    }
    this.schedule();
  }

  /** (Re)starts the timer at the current interval, once the reader is open and someone watches. */
  private schedule(): void {
    if (this.reader === undefined || this.intervalMs === Infinity || this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(this.tick, this.intervalMs);
    this.timer.unref();
  }

  private readonly afterRead = (): void => {
    this.reading = false;
    this.compare();
  };

  private readonly afterFailedRead = (): void => {
    this.reading = false;
    this.allStale();
  };

  private compare(): void {
    // Indexed loops: a tick runs once a second, interpreted, where for-of allocates an iterator.
    const versions = this.reader!.versions;
    for (let i = 0; i < this.watches.length; i++) {
      const entry = this.watches[i];
      if (versions[entry.name] !== entry.watch.loaded()) entry.watch.stale();
    }
  }

  private allStale(): void {
    for (let i = 0; i < this.watches.length; i++) this.watches[i].watch.stale();
  }
}
