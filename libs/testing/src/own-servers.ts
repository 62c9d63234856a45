import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A NATS server and a Postgres cluster that belong to one test file, on their own ports and data
 * directories, so a fault-injection test can kill, pause and restart them without touching the
 * machine's services (or the other engineers' tests). Each stops and removes its files in stop().
 */

const run = promisify(execFile);

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before returning). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port (or rejects after `timeoutMs`). */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/** `nats-server -js` on a random port with its own store directory; kill/pause/restart keep both. */
export class OwnNatsServer {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private log = '';
  /** Configuration added to the server's own (listen address, store), e.g. an `authorization` block. */
  private extraConfig?: string;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}

  private get configFile(): string {
    return `${this.storeDir}.conf`;
  }

  /** Restarts the server with `config` added to its configuration (port and store stay the same). */
  async configure(config: string): Promise<void> {
    this.extraConfig = config;
    await this.restart();
  }

  static async start(): Promise<OwnNatsServer> {
    const server = new OwnNatsServer(await freePort(), mkdtempSync(path.join(tmpdir(), 'faults-nats-')));
    await server.spawn();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  output(): string {
    return this.log;
  }

  private async spawn(): Promise<void> {
    let args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    if (this.extraConfig !== undefined) {
      writeFileSync(this.configFile, `listen: "127.0.0.1:${this.port}"\njetstream { store_dir: ${JSON.stringify(this.storeDir)} }\n${this.extraConfig}\n`);
      args = ['-c', this.configFile];
    }
    const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-20_000);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitForPort(this.port);
  }

  /** Kills the server (SIGKILL by default) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await this.exited;
    this.child = undefined;
  }

  /** Starts it again on the same port and store (JetStream keeps its streams and consumers). */
  async restart(): Promise<void> {
    await this.kill();
    await this.spawn();
  }

  /** SIGSTOP: the server holds its sockets open but answers nothing (a hung broker). */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill('SIGTERM');
    rmSync(this.storeDir, { recursive: true, force: true });
    rmSync(this.configFile, { force: true });
  }
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  return path.join(root, newest, 'bin');
}

/**
 * A throwaway Postgres cluster (`initdb` into a temp directory, its own port, trust auth). Postgres
 * refuses to run as root, so when the tests run as root the cluster is owned by and run as the
 * `postgres` user (`runuser`).
 */
export class OwnPostgres {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly bin: string,
    private readonly asPostgres: boolean,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const asPostgres = userInfo().uid === 0;
    const base = mkdtempSync(path.join(tmpdir(), 'faults-pg-'));
    const cluster = new OwnPostgres(await freePort(), path.join(base, 'data'), postgresBin(), asPostgres);
    if (asPostgres) {
      const pg = await run('id', ['-u', 'postgres']);
      const gid = await run('id', ['-g', 'postgres']);
      chownSync(base, Number(pg.stdout.trim()), Number(gid.stdout.trim()));
    }
    await cluster.exec('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await cluster.pgCtl('start');
    return cluster;
  }

  /** A connection URL for one of its databases. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Stops it: `immediate` is a crash (no checkpoint), `fast` a clean shutdown cutting every connection. */
  async stopServer(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  async startServer(): Promise<void> {
    await this.pgCtl('start');
  }

  /** Down for `downMs`, then up again; every client connection is cut. */
  async restart(downMs = 0, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.stopServer(mode);
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.startServer();
  }

  async stop(): Promise<void> {
    await this.stopServer('immediate').catch(() => undefined);
    rmSync(path.dirname(this.dataDir), { recursive: true, force: true });
  }

  private async pgCtl(action: 'start'): Promise<void> {
    const socketDir = path.dirname(this.dataDir);
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${socketDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', path.join(socketDir, 'postgres.log'), '-w', '-t', '30', action]);
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const file = path.join(this.bin, tool);
    if (this.asPostgres) await run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: '/' });
    else await run(file, args);
  }
}
