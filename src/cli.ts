#!/usr/bin/env node
// The `rootline` binary: commander wiring only; each command lives in src/cli/.
import { Command } from 'commander';
import { addServeOptions, runServe, type ServeFlags } from './cli/serve.js';
import { parseWholeNumber } from './cli/common.js';
import { runQuery, type QueryFlags } from './cli/query.js';

const program = new Command();
program.name('rootline').description('A recursive DNS resolver that walks root → TLD → authoritative itself.').version('0.1.0');

addServeOptions(program.command('serve', { isDefault: true }).description('run the resolver server (the default command)')).action(
  (flags: ServeFlags) => runServe(flags),
);

program
  .command('query')
  .description('resolve one name in-process and print the answer (dig-like)')
  .argument('<name>', 'domain name')
  .argument('[type]', 'record type', 'A')
  .option('--trace', 'print every server asked, from the root down')
  .option('--root-hints <file>', 'root hints file (default: the bundled IANA file)')
  .option('--upstream-port <port>', 'port of upstream servers (53; another for a lab)', parseWholeNumber('--upstream-port'))
  .action((name: string, type: string, flags: QueryFlags) => runQuery(name, type, flags));

await program.parseAsync(process.argv);
