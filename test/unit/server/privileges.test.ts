// Looking up the user and group to drop to: names or numeric ids, the user's primary group by default, and a
// one-line error for an unknown one or for --group without --user. (The drop itself: test/integration/privileges.)
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planPrivilegeDropCheck, resolveIdentity } from '../../../src/server/privileges.js';

const rootEntry = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('root:'));

describe.skipIf(!rootEntry)('resolveIdentity', () => {
  it('a name or a numeric id; the group defaults to the user\'s primary group', () => {
    expect(resolveIdentity('root', '')).toMatchObject({ user: 'root', uid: 0, gid: 0 });
    expect(resolveIdentity('0', '0')).toMatchObject({ user: 'root', uid: 0, gid: 0 });
  });

  it('unknown user or group: one line saying what to do', () => {
    expect(() => resolveIdentity('no-such-user-rl', '')).toThrow(/^unknown user 'no-such-user-rl' \(--user \/ user\): create it/);
    expect(() => resolveIdentity('root', 'no-such-group-rl')).toThrow(/^unknown group 'no-such-group-rl'/);
  });
});

describe('planPrivilegeDropCheck', () => {
  it('nothing asked: nothing to do; --group alone is an error', () => {
    expect(planPrivilegeDropCheck({ user: '', group: '' })).toBeNull();
    expect(() => planPrivilegeDropCheck({ user: '', group: 'nogroup' })).toThrow(/--group needs --user/);
  });
});
