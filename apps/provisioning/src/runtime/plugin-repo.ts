import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TenantRuntimeException } from './runtime.exception.js';

/** Where a tenant's add-ons go, under its app directory (the app reads ADDONS_DIR). */
export const ADDONS_DIRNAME = 'addons';
const SOURCE_FILE = '.source';

/**
 * The directory a repository is cloned into: its last path segment without `.git`, reduced to
 * characters safe in a path (`https://github.com/acme/custom-plugins.git` → `custom-plugins`).
 */
export function addonName(repoUrl: string): string {
  const last = new URL(repoUrl).pathname.split('/').filter(Boolean).pop() ?? 'addons';
  const name = last.replace(/\.git$/i, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '');
  return name || 'addons';
}

/**
 * Clones a tenant's `custom_plugin_repo` (a shallow clone of its default branch) into
 * `<appDir>/addons/<name>` before the app starts; nothing is done when that clone of the same URL
 * is already there. A repository that cannot be cloned refuses the start with git's own reason.
 * git never prompts (no credentials are ever asked for or stored) and is bounded by `timeoutMs`.
 */
export async function syncAddons(repoUrl: string, appDir: string, timeoutMs = 120_000): Promise<string> {
  const root = path.join(appDir, ADDONS_DIRNAME);
  const target = path.join(root, addonName(repoUrl));
  const source = await readFile(path.join(root, SOURCE_FILE), 'utf8').catch(() => null);
  const present = await stat(path.join(target, '.git')).then(
    () => true,
    () => false,
  );
  if (present && source === repoUrl) return target;
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    execFile(
      'git',
      ['clone', '--depth', '1', '--quiet', '--no-tags', '--', repoUrl, target],
      { timeout: timeoutMs, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' }, maxBuffer: 256 * 1024 },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        // git's first `fatal:` line says what is wrong (not found, no access, not a repository).
        const lines = (stderr || err.message).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
        const fatal = lines.find((l) => /^(fatal|error):/.test(l));
        const why = (fatal ?? lines.at(-1) ?? 'git failed').replace(/^(fatal|error):\s*/, '') + (err.killed ? ` (timed out after ${timeoutMs} ms)` : '');
        reject(new TenantRuntimeException(`custom_plugin_repo ${repoUrl} could not be cloned: ${why}`, 'invalid_spec', { retryable: true }));
      },
    );
  }).catch(async (err: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw err;
  });
  await writeFile(path.join(root, SOURCE_FILE), repoUrl);
  return target;
}
