import { createServer } from 'node:net';

export interface PortRange {
  first: number;
  last: number;
}

export function parsePortRange(value: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(value);
  const first = Number(m?.[1]);
  const last = Number(m?.[2]);
  if (!m || first < 1 || last > 65535 || first > last) throw new Error(`invalid port range "${value}"`);
  return { first, last };
}

/** Free when we can bind it ourselves right now (the caller still races other processes for it). */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A free port in the range: the preferred one when it is still free (an instance keeps its port
 * across restarts), otherwise the first free one from a random point, skipping ports other
 * instances hold even while they are stopped.
 */
export async function allocatePort(range: PortRange, host: string, opts: { preferred?: number | null; exclude?: Set<number> } = {}): Promise<number> {
  const exclude = opts.exclude ?? new Set<number>();
  const { preferred } = opts;
  if (preferred && preferred >= range.first && preferred <= range.last && !exclude.has(preferred) && (await isPortFree(preferred, host))) {
    return preferred;
  }
  const size = range.last - range.first + 1;
  const offset = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.first + ((offset + i) % size);
    if (exclude.has(port)) continue;
    if (await isPortFree(port, host)) return port;
  }
  throw new Error(`no free port in ${range.first}-${range.last}`);
}
