// The control requests the dashboard added: checked on the socket as every other request is.
import { describe, expect, it } from 'vitest';
import { mergeReplies } from '../../../src/control/merge.js';
import { parseRequest } from '../../../src/control/protocol.js';

describe('control requests for the dashboard', () => {
  it('accepts queries, policy, blocklist and allow in their shapes, and says what is wrong otherwise', () => {
    expect(parseRequest('{"cmd":"queries","filter":{},"limit":10}')).toEqual({ cmd: 'queries', filter: {}, limit: 10 });
    expect(parseRequest('{"cmd":"queries","filter":{},"limit":0}')).toBe('queries needs a limit from 1 to 1000');
    expect(parseRequest('{"cmd":"queries","limit":5}')).toBe('queries needs a filter (an object, may be empty)');
    expect(parseRequest('{"cmd":"policy"}')).toEqual({ cmd: 'policy' });
    expect(parseRequest('{"cmd":"blocklist","path":"/a","enabled":false}')).toEqual({ cmd: 'blocklist', path: '/a', enabled: false });
    expect(parseRequest('{"cmd":"blocklist","path":"/a"}')).toBe('blocklist needs a path and enabled (true or false)');
    expect(parseRequest('{"cmd":"allow"}')).toBe('allow needs a name');
  });

  it('merges the query logs of every worker newest first, cut to the limit', () => {
    const row = (time: number) => ({ time, client: 'c', transport: 'udp', name: 'n', type: 'A', rcode: 0, answers: 1, ms: 0, cached: false });
    const merged = mergeReplies({ cmd: 'queries', filter: {}, limit: 2 }, [{ ok: true, result: [row(3), row(1)] }, { ok: true, result: [row(2)] }], 2);
    expect(merged).toEqual({ ok: true, result: [row(3), row(2)] });
    expect(mergeReplies({ cmd: 'allow', name: 'x' }, [{ ok: true, result: { name: 'x', added: true } }], 2)).toEqual({ ok: false, error: '1 of 2 workers did not answer' });
  });
});
