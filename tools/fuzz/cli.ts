import { parseArgs } from 'node:util';
import type { OpenApiDocument } from './openapi.js';
import { prepareWorld, SKIPPED_BY_DESIGN } from './principals.js';
import { formatReport } from './report.js';
import { Fuzzer } from './runner.js';
import { StateProbe } from './state.js';

const USAGE = `npm run fuzz -- --url http://localhost:3000 --admin-email admin@example.com --admin-password …
  [--seed 16] [--cases 24] [--database-url postgres://…/saas_platform] [--unserved billing,backups] [--quiet]

Sends every operation of <url>/docs/openapi.json generated and mutated requests, unauthenticated, as a
user it creates and as the admin. Exits 1 when a response is a 5xx, a 4xx that is not problem+json
with a code, carries a stack trace or SQL, or (with --database-url) a refused request changed stored
state. --unserved names services known not to answer RPCs yet: their 503s are reported, not failed.
It creates users and a tenant named fuzz-<run>: point it at a platform you may write to.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'admin-email': { type: 'string', default: process.env.ADMIN_EMAIL },
      'admin-password': { type: 'string', default: process.env.ADMIN_PASSWORD },
      seed: { type: 'string', default: process.env.FUZZ_SEED ?? '16' },
      cases: { type: 'string', default: process.env.FUZZ_CASES ?? '24' },
      'database-url': { type: 'string' },
      unserved: { type: 'string', default: '' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.url || !values['admin-email'] || !values['admin-password']) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const baseUrl = values.url.replace(/\/$/, '');
  const docRes = await fetch(`${baseUrl}/docs/openapi.json`);
  if (!docRes.ok) throw new Error(`${baseUrl}/docs/openapi.json answered ${docRes.status}`);
  const doc = (await docRes.json()) as OpenApiDocument;
  const world = await prepareWorld(baseUrl, { email: values['admin-email'], password: values['admin-password'] });
  const state = values['database-url'] ? await StateProbe.connect(values['database-url']) : undefined;
  try {
    const report = await new Fuzzer(doc, {
      baseUrl,
      principals: world.principals,
      seed: Number(values.seed),
      bodyCases: Number(values.cases),
      knownIds: world.knownIds,
      skip: SKIPPED_BY_DESIGN,
      unservedServices: new Map(values.unserved.split(',').filter(Boolean).map((s) => [s.trim(), 'named by --unserved'] as const)),
      ...(state ? { state } : {}),
      log: values.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
    }).run();
    process.stdout.write(`${formatReport(report)}\n`);
    return report.failures.length ? 1 : 0;
  } finally {
    await state?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
