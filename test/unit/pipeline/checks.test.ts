// The protocol checks as pure functions: which rcode each kind of malformed or unserved query earns.
import { describe, expect, it } from 'vitest';
import { countOpt, DOTTED_LABEL_EDE, isPlainName, isResponse, messageError, questionError } from '../../../src/pipeline/checks.js';
import type { WirePacket } from '../../../src/wire/decode.js';
import { NO_EDNS, type ClientEdns } from '../../../src/wire/edns.js';
import { Flag } from '../../../src/wire/question.js';
import { Rcode } from '../../../src/wire/types.js';

const V1: ClientEdns = { present: true, version: 1, udpSize: 1232, dnssecOk: false };
const V0: ClientEdns = { ...V1, version: 0 };

describe('protocol checks', () => {
  it('drops responses: QR set', () => {
    expect(isResponse(Flag.QR | Flag.RD)).toBe(true);
    expect(isResponse(Flag.RD)).toBe(false);
  });

  it('counts OPT records only', () => {
    const packet = { additionals: [{ type: 'OPT' }, { type: 'A' }, { type: 'OPT' }] } as unknown as WirePacket;
    expect(countOpt(packet)).toBe(2);
    expect(countOpt({} as WirePacket)).toBe(0);
  });

  it('NOTIMP for other opcodes, FORMERR for question counts other than one or two OPTs, BADVERS for EDNS > 0', () => {
    expect(messageError(0, 1, 0, NO_EDNS)).toBeNull();
    expect(messageError(0, 1, 1, V0)).toBeNull();
    expect(messageError(4, 1, 0, NO_EDNS)).toBe(Rcode.NOTIMP);
    expect(messageError(0, 2, 0, NO_EDNS)).toBe(Rcode.FORMERR);
    expect(messageError(0, 0, 0, NO_EDNS)).toBe(Rcode.FORMERR);
    expect(messageError(0, 1, 2, V0)).toBe(Rcode.FORMERR);
    expect(messageError(0, 1, 1, V1)).toBe(Rcode.BADVERS);
  });

  it('in that precedence: opcode, then shape, then version', () => {
    expect(messageError(4, 2, 2, V1)).toBe(Rcode.NOTIMP);
    expect(messageError(0, 2, 1, V1)).toBe(Rcode.FORMERR);
  });

  it('REFUSED for classes other than IN and for zone transfers', () => {
    expect(questionError({ name: 'example', type: 'A', class: 'IN' })).toBeNull();
    expect(questionError({ name: 'example', type: 'TXT', class: 'CH' })).toBe(Rcode.REFUSED);
    expect(questionError({ name: 'example', type: 'AXFR', class: 'IN' })).toBe(Rcode.REFUSED);
    expect(questionError({ name: 'example', type: 'IXFR', class: 'IN' })).toBe(Rcode.REFUSED);
  });

  it('tells names with an empty label (a dot inside a label) apart, and names EDE 21 for them', () => {
    for (const name of ['.', 'example', 'www.example', 'a.b.c']) expect(isPlainName(name), name).toBe(true);
    for (const name of ['.example', 'ww..example', 'www.example..']) expect(isPlainName(name), name).toBe(false);
    expect(DOTTED_LABEL_EDE.code).toBe(21);
  });
});
