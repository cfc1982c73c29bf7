// Copies the generated reports into the README between their markers, so the README's Reliability
// and Performance sections are what the test suites and the benchmark produced, not hand-written:
//   test/reliability/REPORT.md  (written by `npx vitest run test/reliability`)
//   test/bench/RESULTS.md       (written by `npm run bench -- --write`)
// Usage: npm run readme   (or `node test/tools/sync-readme.mjs --check` to fail when out of date)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const readme = new URL('README.md', root);
const sections = [
  ['reliability', new URL('test/reliability/REPORT.md', root)],
  ['performance', new URL('test/bench/RESULTS.md', root)],
];

let text = readFileSync(readme, 'utf8');
const before = text;
for (const [name, file] of sections) {
  if (!existsSync(file)) {
    console.error(`sync-readme: ${file.pathname} does not exist yet; leaving the ${name} section as it is`);
    continue;
  }
  // Drop the report's own title: the README section has one.
  const body = readFileSync(file, 'utf8').replace(/^#{1,2} .*\n+/, '').trim();
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} ... ${end} markers`);
  text = text.slice(0, i + start.length) + '\n' + body + '\n' + text.slice(j);
}
if (process.argv.includes('--check')) {
  if (text !== before) {
    console.error('sync-readme: README.md is out of date with the generated reports; run `npm run readme`');
    process.exit(1);
  }
} else if (text !== before) {
  writeFileSync(readme, text);
  console.log('sync-readme: README.md updated');
}
