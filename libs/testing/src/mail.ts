import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A mail as the service kit's FileMailer wrote it (MAIL_LOG_DIR, no SMTP_URL). */
export interface MailFile {
  file: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Every mail written under `dir` so far (none when it does not exist yet), oldest first. */
export function readMailDir(dir: string): MailFile[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith('.eml'))
      .map((f) => f.name)
      .sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const raw = readFileSync(path.join(dir, name), 'utf8');
    const split = raw.indexOf('\n\n');
    const head = raw.slice(0, split);
    const header = (h: string) => new RegExp(`^${h}: (.*)$`, 'm').exec(head)?.[1] ?? '';
    return { file: name, from: header('From'), to: header('To'), subject: header('Subject'), text: raw.slice(split + 2) };
  });
}
