// Parsing listen addresses: the accepted forms, and errors that carry RL_ERR_LISTEN_ADDR and name the bad value.
import { describe, expect, it } from 'vitest';
import { ErrorCode, RootlineError } from '../../../src/errors.js';
import { formatListenAddress, parseListenAddress } from '../../../src/server/listen-address.js';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:5300', { address: '127.0.0.1', port: 5300, family: 4 }],
    ['0.0.0.0:0', { address: '0.0.0.0', port: 0, family: 4 }],
    ['[::1]:5300', { address: '::1', port: 5300, family: 6 }],
    ['[::]:65535', { address: '::', port: 65535, family: 6 }],
    ['[::1]', { address: '::1', port: 53, family: 6 }],
    ['::1', { address: '::1', port: 53, family: 6 }],
    ['2001:db8::53', { address: '2001:db8::53', port: 53, family: 6 }],
    ['10.0.0.1', { address: '10.0.0.1', port: 53, family: 4 }],
    [' 127.0.0.1:53 ', { address: '127.0.0.1', port: 53, family: 4 }],
  ])('%s', (input, expected) => {
    expect(parseListenAddress(input)).toEqual(expected);
  });

  it.each([
    ['localhost:53', /'localhost' is not an IPv4 or IPv6 address/],
    ['127.0.0.1:99999', /'99999' is not a port number/],
    ['127.0.0.1:', /'' is not a port number/],
    ['127.0.0.1:5x', /'5x' is not a port number/],
    ['127.0.0.1:-1', /'-1' is not a port number/],
    ['[127.0.0.1]:53', /brackets are only for IPv6/],
    ['[::1]:abc', /'abc' is not a port number/],
    ['[nope]:53', /'nope' is not an IPv6 address/],
    ['fe80::1::2:53', /IPv6 address in brackets/],
    ['', /the address is missing/],
    [':53', /the address is missing/],
    ['256.1.1.1:53', /'256.1.1.1' is not an IPv4 or IPv6 address/],
  ])('rejects %j', (input, message) => {
    let err: unknown;
    try {
      parseListenAddress(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RootlineError);
    expect((err as RootlineError).code).toBe(ErrorCode.LISTEN_ADDR);
    expect((err as RootlineError).message).toMatch(message);
    expect((err as RootlineError).message).toContain(`'${input}'`);
  });

  it('formats back to the same text', () => {
    for (const s of ['127.0.0.1:53', '[::1]:5353']) expect(formatListenAddress(parseListenAddress(s))).toBe(s);
  });
});
