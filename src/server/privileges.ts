// Dropping root after the sockets are bound (`--user` / `--group`, config `user` / `group`).
//
// One process: startServer() binds port 53, the control socket is made and chowned to the user, then
// setgroups([gid]), setgid, setuid — in that order, since only root may change groups.
// With --workers N: the primary binds every listen socket (cluster shares its handles with the workers) and
// makes the control socket. Workers are forked as the user from the start (cluster.setupPrimary uid/gid), so
// no worker ever parses a packet or a config file as root. The primary drops too, once every worker has
// reported ready (so every listen handle is bound) and the control socket exists. A worker that dies is
// re-forked as the user and gets the sockets the primary still holds; only if every worker died at once would
// the primary have to bind port 53 again, which it no longer may: the server then exits with the bind error
// (systemd's Restart=on-failure starts it afresh).
import cluster, { type Worker } from 'node:cluster';
import { execFileSync } from 'node:child_process';
import { chownSync, readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { ErrorCode, RootlineError } from '../errors.js';
import type { Logger } from '../log.js';

export interface Identity {
  user: string;
  uid: number;
  group: string;
  gid: number;
}

/** The colon-separated entry of `name` (or numeric id) in an /etc/passwd- or /etc/group-style database. */
function lookup(database: 'passwd' | 'group', name: string): string[] | null {
  const numeric = /^\d+$/.test(name);
  const match = (line: string): string[] | null => {
    const fields = line.split(':');
    return fields.length >= 3 && (numeric ? fields[2] === name : fields[0] === name) ? fields : null;
  };
  try {
    for (const line of readFileSync(`/etc/${database}`, 'utf8').split('\n')) {
      const found = match(line);
      if (found) return found;
    }
  } catch {
    // no such file: ask NSS below
  }
  // Users from NSS (LDAP, systemd-userdb…) are not in the files; getent asks the same way libc does.
  try {
    const out = execFileSync('getent', [database, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return match(out.trim());
  } catch {
    return null;
  }
}

/** The user and group to run as, from names or numeric ids; throws a one-line error for an unknown one. */
export function resolveIdentity(user: string, group: string): Identity {
  const pw = lookup('passwd', user);
  if (!pw) throw new RootlineError(ErrorCode.PRIVILEGES, `unknown user '${user}' (--user / user): create it (e.g. useradd --system ${user}) or name an existing one`);
  const uid = Number(pw[2]);
  const gr = lookup('group', group !== '' ? group : pw[3]!);
  if (!gr) {
    throw new RootlineError(
      ErrorCode.PRIVILEGES,
      group !== '' ? `unknown group '${group}' (--group / group): create it (e.g. groupadd --system ${group}) or name an existing one` : `user '${user}' has primary group ${pw[3]}, which does not exist: give --group`,
    );
  }
  return { user: pw[0]!, uid, group: gr[0]!, gid: Number(gr[2]) };
}

/** A planned drop: resolved and checked before anything is bound, applied once it is. */
export interface PrivilegeDrop {
  identity: Identity;
  /** One process: chown the control socket, then drop. */
  apply(controlSocket: string | null, logger: Logger): void;
  /** Primary with workers, before forking: fork the workers as the user, and count them as they report ready. */
  beforeFork(workers: number): void;
  /** Primary with workers, once the control socket is open: drop as soon as every worker is ready too. */
  afterControl(controlSocket: string | null, logger: Logger): void;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function alreadyIs(id: Identity): boolean {
  return process.getuid?.() === id.uid && process.getgid?.() === id.gid;
}

function dropNow(id: Identity, controlSocket: string | null, logger: Logger, role: string): void {
  if (alreadyIs(id)) return;
  // The socket stays 0600; owned by the service user, `rootline ctl` run as that user (or root) reaches it.
  if (controlSocket) chownSync(controlSocket, id.uid, id.gid);
  process.setgroups!([id.gid]);
  process.setgid!(id.gid);
  process.setuid!(id.uid);
  logger.info({ event: 'privileges_dropped', role, user: id.user, uid: id.uid, group: id.group, gid: id.gid }, 'privileges_dropped');
}

/** For check-config: the checks that need no root — --group without --user, an unknown user or group. */
export function planPrivilegeDropCheck(config: Pick<Config, 'user' | 'group'>): Identity | null {
  if (config.user === '') {
    if (config.group !== '') throw new RootlineError(ErrorCode.PRIVILEGES, '--group needs --user: name the user to run as too, or leave --group out');
    return null;
  }
  return resolveIdentity(config.user, config.group);
}

/**
 * The drop `config` asks for, or null for none (and in a cluster worker, which the primary forked as the user
 * already). Throws a one-line error for --group without --user, an unknown user or group, or a non-root start
 * (unless the process already runs as exactly that user and group, e.g. under systemd's User=).
 */
export function planPrivilegeDrop(config: Pick<Config, 'user' | 'group'>): PrivilegeDrop | null {
  if (cluster.isWorker) return null;
  const identity = planPrivilegeDropCheck(config);
  if (!identity) return null;
  if (!isRoot() && !alreadyIs(identity)) throw new RootlineError(ErrorCode.PRIVILEGES, '--user needs root: start as root, or leave --user out');
  // The primary drops once both have happened: every worker ready (every listen handle bound) and the control socket made.
  let allReady = false;
  let control: { path: string | null; logger: Logger } | null = null;
  const maybeDrop = (): void => {
    if (!allReady || !control) return;
    try {
      dropNow(identity, control.path, control.logger, 'primary');
    } catch (e) {
      // Never serve on as root when asked not to.
      process.stderr.write(`rootline: cannot drop privileges to ${identity.user}:${identity.group}: ${(e as Error).message}\n`);
      process.exit(1);
    }
  };
  return {
    identity,
    apply: (controlSocket, logger) => dropNow(identity, controlSocket, logger, 'server'),
    beforeFork: (workers) => {
      if (!alreadyIs(identity)) cluster.setupPrimary({ uid: identity.uid, gid: identity.gid });
      // Distinct workers: one re-forked after a crash says ready again, but only the first N count.
      const ready = new Set<number>();
      const onMessage = (w: Worker, m: { type?: string } | null): void => {
        if (m?.type !== 'ready') return;
        ready.add(w.id);
        if (ready.size < workers) return;
        cluster.off('message', onMessage);
        allReady = true;
        maybeDrop();
      };
      cluster.on('message', onMessage);
    },
    afterControl: (controlSocket, logger) => {
      control = { path: controlSocket, logger };
      maybeDrop();
    },
  };
}
