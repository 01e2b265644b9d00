#!/usr/bin/env node
// Rebuilds policies.json.gz from iam-dataset's compact export of AWS-managed policies
// (https://github.com/iann0036/iam-dataset, MIT; see LICENSE and NOTICE beside this file).
// Usage: node data/aws-managed-policies/refresh.mjs <aws_managed_policies.compact.json.gz>
// Keeps what trailscope needs: ARN, name, default version id, dates and the default version's document.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const input = process.argv[2];
if (!input) {
  console.error('usage: refresh.mjs <aws_managed_policies.compact.json.gz>');
  process.exit(2);
}
const src = JSON.parse(gunzipSync(readFileSync(input)).toString('utf8'));
const policies = {};
for (const [key, p] of Object.entries(src.policies)) {
  const arn = p.arn ?? key;
  const document = typeof p.document === 'string' ? JSON.parse(p.document) : p.document;
  policies[arn] = {
    name: p.name,
    version: p.version ?? null,
    createDate: p.createdate ?? null,
    updateDate: p.updatedate ?? null,
    deprecated: p.deprecated === true,
    document,
  };
}
const out = {
  source: { ...src._source, rebuiltBy: 'data/aws-managed-policies/refresh.mjs' },
  count: Object.keys(policies).length,
  policies,
};
const target = join(dirname(fileURLToPath(import.meta.url)), 'policies.json.gz');
writeFileSync(target, gzipSync(JSON.stringify(out), { level: 9 }));
console.log(`wrote ${out.count} policies to ${target}`);
