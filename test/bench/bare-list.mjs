/* global fetch */
// The baseline of the large-organisation rows: the least a Node program can do for `deploy list
// --json` — fetch the list (Node's built-in fetch), parse the JSON and print `data` indented, as the
// CLI does. No argument parsing, config, retries or lossless ids. Usage: node bare-list.mjs URL KEY
const [url, key] = process.argv.slice(2);
const res = await fetch(url, { headers: { 'X-API-Key': key, Accept: 'application/json' } });
const body = JSON.parse(await res.text());
if (body.code !== 10000) throw new Error(`unexpected answer ${res.status} ${body.code}`);
process.stdout.write(JSON.stringify(body.data, null, 2) + '\n');
