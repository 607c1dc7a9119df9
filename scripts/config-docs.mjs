#!/usr/bin/env node
// Generates the configuration reference (README.md table between its markers, docs/rootline.example.yaml) from
// the built config key table; --write updates both, --check fails when either is out of date. Needs `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_KEYS } from '../dist/config/keys.js';
import { DEFAULTS } from '../dist/config/schema.js';

const BEGIN = '<!-- config-table:begin -->';
const END = '<!-- config-table:end -->';

export function configTable() {
  // '' is "not set": the bundled root hints; for user/group no privilege drop; for cache-file no warm restart.
  const shown = (d, k) => (Array.isArray(d) ? (d.length === 0 ? '(none)' : d.join(', ')) : d === '' ? (k.key === 'root-hints' ? '(bundled IANA file)' : '(none)') : String(d));
  const rows = CONFIG_KEYS.map((k) => `| \`${k.key}\` | ${k.flag ? `\`${k.flag}\`` : ''} | ${shown(DEFAULTS[k.field], k)} | ${k.doc} |`);
  return ['| key | flag | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function exampleYaml() {
  const unsetExample = { 'root-hints': '/usr/share/rootline/named.root', user: 'rootline', group: 'rootline', 'cache-file': '/var/lib/rootline/cache.jsonl' };
  const yamlValue = (d, k) =>
    Array.isArray(d) ? (d.length === 0 ? '[]' : '\n' + d.map((x) => `#   - "${x}"`).join('\n')) : d === '' ? (unsetExample[k.key] ?? '""') : String(d);
  const lines = ['# rootline configuration: every key with its default (commented out). Flags override this file.', ''];
  for (const k of CONFIG_KEYS) {
    lines.push(`# ${k.doc}`, `# ${k.key}: ${yamlValue(DEFAULTS[k.field], k)}`, '');
  }
  return lines.join('\n');
}

const EXAMPLE = 'docs/rootline.example.yaml';
const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf(BEGIN);
const end = readme.indexOf(END);
if (start < 0 || end < 0) throw new Error('README.md has no config-table markers');
const current = readme.slice(start + BEGIN.length, end).trim();
const wanted = configTable();
if (process.argv.includes('--check')) {
  let example = '';
  try {
    example = readFileSync(EXAMPLE, 'utf8');
  } catch {
    // reported below
  }
  if (current !== wanted || example !== exampleYaml()) {
    console.error('the configuration reference (README.md, docs/rootline.example.yaml) is out of date: run `node scripts/config-docs.mjs --write`');
    process.exit(1);
  }
} else if (process.argv.includes('--write')) {
  writeFileSync('README.md', readme.slice(0, start + BEGIN.length) + '\n' + wanted + '\n' + readme.slice(end));
  writeFileSync(EXAMPLE, exampleYaml());
} else {
  console.log(wanted);
}
