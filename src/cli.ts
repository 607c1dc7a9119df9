#!/usr/bin/env node
// The `rootline` binary: commander wiring only; each command lives in src/cli/.
import { Command } from 'commander';
import { addServeOptions, runServe, type ServeFlags } from './cli/serve.js';
import { collect, exitWithError, LOG_LEVELS, parseOneOf, parseWholeNumber } from './cli/common.js';
import { runLab, type LabFlags } from './cli/lab.js';
import { runCtl, type CtlFlags } from './cli/ctl.js';
import { runDoctor, type DoctorFlags } from './cli/doctor.js';
import { runCert, type CertFlags } from './cli/cert.js';
import { runCheckConfig } from './cli/check-config.js';
import { runQuery, type QueryFlags } from './cli/query.js';
import { runTop, type TopFlags } from './cli/top.js';
import { runHashPassword } from './cli/hash-password.js';
import { VERSION } from './version.js';

const program = new Command();
program.name('rootline').description('A recursive DNS resolver that walks root → TLD → authoritative itself.').version(VERSION);

addServeOptions(program.command('serve', { isDefault: true }).description('run the resolver server (the default command)')).action(
  (flags: ServeFlags) => runServe(flags),
);

program
  .command('query')
  .description('resolve one name in-process and print the answer (dig-like)')
  .argument('<name>', 'domain name')
  .argument('[type]', 'record type', 'A')
  .option('--trace', 'print the policy step that decided and every server asked, from the root down')
  .option('-c, --config <file>', 'YAML config file (local data, blocklists, forward zones…); flags override it')
  .option('--root-hints <file>', 'root hints file (default: the bundled IANA file)')
  .option('--upstream-port <port>', 'port of upstream servers (53; another for a lab)', parseWholeNumber('--upstream-port'))
  .option('--trust-anchor-file <file>', 'DNSSEC trust anchors, DS or DNSKEY lines (default: the bundled root anchors)')
  .option('--no-dnssec-validation', 'do not validate DNSSEC')
  .action((name: string, type: string, flags: QueryFlags) => runQuery(name, type, flags));

program
  .command('ctl')
  .description('talk to a running server over its control socket')
  .argument('<command>', 'status, stats, flush, reload, query-log, dump-cache, load-cache, trace, servers, policy, blocklist, allow or queries')
  .argument('[args...]', 'flush/trace: NAME [TYPE]; query-log: on|off; dump-cache/load-cache: FILE; servers: [ZONE]; blocklist: enable|disable PATH; allow: NAME; queries: [N]')
  .option('--control <path>', 'control socket (default: /run/rootline/control.sock, or next to --config)')
  .option('-c, --config <file>', 'the config file the server runs with (to find its control socket)')
  .option('--zone <zone>', 'flush: the zone and every name below it, delegations and server marks included')
  .option('--json', 'print the answer as JSON')
  .option('--timeout <ms>', 'how long to wait for the answer (default 10000)', parseWholeNumber('--timeout'))
  .action((command: string, args: string[], flags: CtlFlags) => runCtl(command, args, flags));

program
  .command('top')
  .description('a live view of a running server: rates, answer times, top names and clients, slow servers')
  .option('--control <path>', 'control socket (default: /run/rootline/control.sock, or next to --config)')
  .option('-c, --config <file>', 'the config file the server runs with (to find its control socket)')
  .option('--interval <seconds>', 'refresh interval (default 1)', parseWholeNumber('--interval'))
  .action((flags: TopFlags) => runTop(flags));

program
  .command('hash-password')
  .description("read a password (typed, or one line on stdin) and print its scrypt hash for the config's web-password")
  .action(() => runHashPassword());

program
  .command('check-config')
  .description('check a config file as serve would and print the effective settings (defaults + file) as YAML')
  .argument('[file]', 'the config file (default /etc/rootline/rootline.yaml)')
  .action((file: string | undefined) => runCheckConfig(file));

program
  .command('doctor')
  .description('find what breaks DNS on this machine and its network: one line a check, with the fix')
  .option('--root-hints <file>', 'root hints file (default: the bundled IANA file)')
  .option('--upstream-port <port>', 'port of the root servers (53; another for a lab)', parseWholeNumber('--upstream-port'))
  .option('-c, --config <file>', 'the config file (listen addresses, root hints, ipv6-upstream)')
  .option('--resolv-conf <file>', 'the resolver configuration to read (default /etc/resolv.conf)')
  .option('--tld <tld>', 'a TLD the root delegates, for the interception check (default com)')
  .option('--json', 'print the results as JSON')
  .action((flags: DoctorFlags) => runDoctor(flags));

program
  .command('cert')
  .description('write a private CA and a certificate for NAME (DNS over TLS/HTTPS) and print how to trust it')
  .argument('<name>', 'the server\'s host name, e.g. dns.home.arpa')
  .option('--ip <addr>', 'an address the certificate is also valid for (repeatable)', collect)
  .option('--out <dir>', 'where to write ca.pem, NAME.pem and NAME.key (default: the current directory)')
  .action((name: string, flags: CertFlags) => runCert(name, flags));

program
  .command('lab')
  .description('start a simulated, signed DNS hierarchy on loopback and a validating resolver pointed at it, and print dig commands')
  .option('--port <port>', 'port of the lab servers (default 53 as root, else 5353)', parseWholeNumber('--port'))
  .option('--prefix <127.N>', 'loopback prefix of the lab server addresses (default 127.53)')
  .option('--listen <addr:port>', 'where the lab resolver listens (default 127.0.0.1:5300)')
  .option('--log-level <level>', 'resolver log level (default warn)', parseOneOf('--log-level', LOG_LEVELS))
  .option('--hints-file <file>', "write the lab's root hints to this file, and its trust anchor beside it as lab.root.ds (default: a new temporary directory)")
  .action((flags: LabFlags) => runLab(flags));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // A flag value rejected by its parser: one line, no stack.
  exitWithError(e);
}
