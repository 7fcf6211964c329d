// What the first screen loads: the JS and CSS that dist/index.html references (scripts,
// stylesheets, modulepreloads), gzipped (level 9, as CloudFront/servers compress). Budget 60 KB.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 60 * 1024;
const html = readFileSync(new URL('../dist/index.html', import.meta.url), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="\/app\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let total = 0;
for (const ref of refs) {
  const bytes = gzipSync(readFileSync(new URL(`../dist/${ref}`, import.meta.url)), { level: 9 }).length;
  total += bytes;
  console.log(`  ${ref}  ${(bytes / 1024).toFixed(1)} KB gzipped`);
}
const verdict = total <= BUDGET ? 'within' : 'OVER';
console.log(`first screen: ${(total / 1024).toFixed(1)} KB JS+CSS gzipped (${verdict} the 60 KB budget)`);
if (refs.length === 0 || total > BUDGET) process.exit(1);
