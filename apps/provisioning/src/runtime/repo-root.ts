import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from apps/provisioning/src/runtime in Jest or dist/apps/provisioning/src/runtime when built. */
export function repoRoot(moduleUrl: string = import.meta.url): string {
  const parts = path.dirname(fileURLToPath(moduleUrl)).split(path.sep);
  const i = parts.lastIndexOf('apps');
  if (i <= 0) return process.cwd();
  const root = parts.slice(0, i).join(path.sep);
  return root.endsWith(`${path.sep}dist`) ? path.dirname(root) : root;
}
