import { writeFileSync } from 'node:fs';
import { gatewayOpenApiDocument } from './document.js';

/** `npm run sdk:generate` step 1: writes the gateway's OpenAPI document to the path given. */
const out = process.argv[2];
if (!out) {
  console.error('usage: node dist/tools/openapi/write.js <output.json>');
  process.exit(2);
}
const doc = await gatewayOpenApiDocument();
writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
console.log(`wrote ${out} (${Object.keys(doc.paths as object).length} paths)`);
process.exit(0);
