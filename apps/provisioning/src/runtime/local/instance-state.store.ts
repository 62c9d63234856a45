import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseStrategy, TenantDatabaseRef } from '../../tenant-database/tenant-database.types.js';
import type { TenantPlan } from '../plans.js';

/**
 * What the local runtime must remember across its own crashes to never start a tenant twice:
 * the process it started (pid + start time + boot, which together identify it), the port, and
 * what the operator wants (`desired`). Written before every spawn and after every change.
 */
export interface LocalInstanceState {
  tenantId: string;
  slug: string;
  name: string;
  plan: TenantPlan;
  databaseStrategy: DatabaseStrategy;
  database: TenantDatabaseRef;
  desired: 'running' | 'stopped';
  status: 'starting' | 'running' | 'stopped' | 'failed';
  port: number | null;
  process: { pid: number; startTime: number; bootId: string } | null;
  /** The full command, marker included. */
  command: string[];
  /** Secret (database URL, admin password): the store must keep it private. */
  env: Record<string, string>;
  /** Hash of what the process was started with; a different one on ensure means restart. */
  fingerprint: string;
  appVersion: string;
  startedAt: string | null;
  restarts: number;
  consecutiveFailures: number;
  lastError: string | null;
  updatedAt: string;
}

/** Where instance states live. JSON files today; the provisioning schema is a drop-in later. */
export interface InstanceStateStore {
  get(tenantId: string): Promise<LocalInstanceState | null>;
  list(): Promise<LocalInstanceState[]>;
  put(state: LocalInstanceState): Promise<void>;
  delete(tenantId: string): Promise<void>;
}

const FILE = 'instance.json';

/**
 * One `<root>/<slug>/instance.json` per tenant, mode 0600 (it holds the app's credentials),
 * replaced atomically (temp file, fsync, rename) so a crash mid-write leaves the old or the new
 * state, never half of one.
 */
export class JsonFileInstanceStateStore implements InstanceStateStore {
  constructor(private readonly root: string) {}

  tenantDir(slug: string): string {
    return path.join(this.root, slug);
  }

  async get(tenantId: string): Promise<LocalInstanceState | null> {
    return (await this.list()).find((s) => s.tenantId === tenantId) ?? null;
  }

  async list(): Promise<LocalInstanceState[]> {
    let dirs: string[];
    try {
      dirs = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const states: LocalInstanceState[] = [];
    for (const dir of dirs) {
      try {
        states.push(JSON.parse(await readFile(path.join(this.root, dir, FILE), 'utf8')) as LocalInstanceState);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
      }
    }
    return states;
  }

  async put(state: LocalInstanceState): Promise<void> {
    const dir = this.tenantDir(state.slug);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const target = path.join(dir, FILE);
    const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(state, null, 2));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  }

  async delete(tenantId: string): Promise<void> {
    const state = await this.get(tenantId);
    if (state) await rm(path.join(this.tenantDir(state.slug), FILE), { force: true });
  }
}
