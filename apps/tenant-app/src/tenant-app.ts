import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TenantAppConfig } from './config.js';
import type { Log } from './logger.js';
import type { VisitStore } from './visit-store.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The add-ons the runtime installed (subdirectories of ADDONS_DIR), read once at start. */
function installedAddons(dir: string | null): string[] {
  if (!dir) return [];
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function page(name: string, visits: number, addons: string[]): string {
  const title = escapeHtml(name);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title></head>
<body>
  <h1>${title}</h1>
  <p>This page has been visited <strong id="visits">${visits}</strong> time${visits === 1 ? '' : 's'}.</p>
${addons.length ? `  <p>Add-ons: <span id="addons">${addons.map(escapeHtml).join(', ')}</span></p>\n` : ''}</body>
</html>
`;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** `GET /` (page + counter), `GET /health` (200 only while the database answers). */
export function createTenantApp(config: TenantAppConfig, store: VisitStore, log: Log): Server {
  const addons = installedAddons(config.addonsDir);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/health') {
      const ok = await store.ping(2_000);
      if (!ok) log('warn', 'health check failed: database not answering');
      return send(res, ok ? 200 : 503, 'application/json', JSON.stringify({ status: ok ? 'ok' : 'unavailable', tenant: config.tenantSlug }));
    }
    if (path === '/') {
      const visits = await store.recordVisit(path);
      log('info', 'visit', { path, visits, user_agent: req.headers['user-agent'] ?? null });
      return send(res, 200, 'text/html; charset=utf-8', page(config.tenantName, visits, addons));
    }
    return send(res, 404, 'text/plain', 'not found\n');
  };
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log('error', 'request failed', { path: req.url, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    });
  });
}
