import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { configErrorOf } from '../../helpers/config-error.js';

const errorOf = configErrorOf;

describe('local-zones in the config file', () => {
  it('takes true, false, or "NAME TYPE" rules', () => {
    expect(parseConfig('local-zones: false\n', 'r.yaml')).toEqual({ localZones: false });
    expect(parseConfig('local-zones:\n  - "Ads.Example. redirect"\n  - home.arpa nodefault\n', 'r.yaml')).toEqual({
      localZones: [
        { name: 'ads.example', type: 'redirect' },
        { name: 'home.arpa', type: 'nodefault' },
      ],
    });
  });

  it('names the line of a bad rule', () => {
    expect(errorOf('local-zones: maybe\n')).toMatch(/^rootline.yaml line 1: 'local-zones' must be true, false or a list/);
    expect(errorOf('local-zones:\n  - ads.example\n')).toMatch(/^rootline.yaml line 2: 'local-zones' entry 'ads.example' must be "NAME TYPE"/);
    expect(errorOf('local-zones:\n  - ads.example static\n  - x.example always_null\n')).toMatch(/^rootline.yaml line 3: .*type must be one of static, transparent, redirect, refuse, deny, nodefault, got 'always_null'/);
    expect(errorOf('local-zones:\n  - a.example static\n  - A.example. deny\n')).toMatch(/^rootline.yaml line 3: 'local-zones' lists a.example twice/);
  });
});
