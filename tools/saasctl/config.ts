import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Tokens } from '@saas/sdk';

export interface CliConfig {
  url: string;
  tokens?: Tokens;
  apiKey?: string;
}

/** `$SAASCTL_CONFIG`, else `~/.config/saasctl/config.json` (mode 0600: it holds tokens). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SAASCTL_CONFIG ?? path.join(env.XDG_CONFIG_HOME ?? path.join(homedir(), '.config'), 'saasctl', 'config.json');
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): CliConfig | null {
  const file = configPath(env);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as CliConfig;
}

export function writeConfig(config: CliConfig, env: NodeJS.ProcessEnv = process.env): void {
  const file = configPath(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
