import { spawn } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { libpqEnv, withDatabase } from '@saas/database';

/**
 * A SCRAM-SHA-256 verifier (RFC 5802/7677), what `psql \password` sends: the server stores it
 * as-is, so the clear-text password never reaches the server's logs or pg_stat_statements.
 */
export function scramSha256Verifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** URL-safe, so it can sit in a connection URL unescaped. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

export { libpqEnv, withDatabase };

/**
 * `pg_dump <dumpArgs> | psql <restoreArgs>`, streaming (nothing staged on disk). Fails with both
 * tools' stderr if either exits non-zero; psql runs with ON_ERROR_STOP in one transaction, so a
 * failed restore leaves the target as it was.
 */
export async function pipeDumpToRestore(opts: {
  sourceUrl: string;
  targetUrl: string;
  dumpArgs: string[];
  pgDump?: string;
  psql?: string;
}): Promise<void> {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' };
  const dump = spawn(opts.pgDump ?? 'pg_dump', ['--format=plain', ...opts.dumpArgs], {
    env: { ...base, ...libpqEnv(opts.sourceUrl) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const restore = spawn(opts.psql ?? 'psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-o', '/dev/null'], {
    env: { ...base, ...libpqEnv(opts.targetUrl) },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let dumpErr = '';
  let restoreErr = '';
  dump.stderr.on('data', (c: Buffer) => (dumpErr += c.toString()));
  restore.stderr.on('data', (c: Buffer) => (restoreErr += c.toString()));
  // A dying psql closes its stdin; the pipe error is reported through psql's exit code instead.
  restore.stdin.on('error', () => undefined);
  dump.stdout.pipe(restore.stdin);
  const exit = (p: ReturnType<typeof spawn>) =>
    new Promise<number>((resolve, reject) => {
      p.once('error', reject);
      p.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  const [dumpCode, restoreCode] = await Promise.all([exit(dump), exit(restore)]);
  if (dumpCode !== 0 || restoreCode !== 0) {
    throw new Error(
      `dump/restore failed (pg_dump exit ${dumpCode}, psql exit ${restoreCode}): ${[dumpErr.trim(), restoreErr.trim()].filter(Boolean).join(' | ')}`,
    );
  }
}
