// Generates nodes/lib/model/types.generated.ts from the canonical JSON Schemas, so the
// TypeScript types and the schemas cannot drift apart (a test compares the two).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const schemaDir = join(root, 'nodes', 'lib', 'model', 'schemas');
export const typesFile = join(root, 'nodes', 'lib', 'model', 'types.generated.ts');
const entities = [
  ['customer', 'customer.schema.json'],
  ['order', 'order.schema.json'],
  ['invoiceStatus', 'invoice-status.schema.json'],
  ['link', 'link.schema.json'],
];

export async function renderTypes() {
  // One wrapper schema referencing every entity, so shared definitions are declared once.
  const wrapper = {
    title: 'CanonicalModel',
    description: 'Every entity of the canonical model.',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(entities.map(([key, file]) => [key, { $ref: file }])),
  };
  const ts = await compile(wrapper, 'CanonicalModel', {
    cwd: schemaDir,
    bannerComment: '/* Generated from nodes/lib/model/schemas by `npm run generate-types`. Do not edit. */',
    additionalProperties: false,
    declareExternallyReferenced: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  return ts;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(typesFile, await renderTypes());
  console.log(`wrote ${typesFile}`);
}
