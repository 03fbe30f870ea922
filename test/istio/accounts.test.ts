/** --user/--group pairs and /etc/passwd, /etc/group copies. */
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/errors.js';
import { parseAccountFile, parseNameId } from '../../src/istio/accounts.js';
import { bannerFacts, idList } from '../../src/istio/infer-banner.js';
import type { Ruleset } from '../../src/core/ruleset/model.js';

describe('account names', () => {
  it('reads NAME=ID', () => {
    expect(parseNameId('--group', 'java=1001')).toEqual(['java', 1001]);
    expect(() => parseNameId('--user', 'envoy')).toThrow(UsageError);
    expect(() => parseNameId('--user', '1x=5')).toThrow(/--user: "1x=5" is not NAME=UID/);
  });

  it('reads passwd and group copies; the first entry of a name wins, comments and blanks skipped', () => {
    expect([...parseAccountFile('# c\nroot:x:0:0:root:/root:/bin/sh\n\nenvoy:x:101:101::/:/bin/false\nenvoy:x:7:7::/:/bin/false\n', 'passwd', 'passwd')]).toEqual([
      ['root', 0],
      ['envoy', 101],
    ]);
    expect([...parseAccountFile('java:x:1001:app,web\r\n', 'group', 'group')]).toEqual([['java', 1001]]);
  });

  it('names the line of a bad entry, without control characters', () => {
    const err = (() => {
      try {
        parseAccountFile('root:x:0:\njava:x:1001\n', 'g', 'group');
      } catch (e) {
        return e as InputError;
      }
      return null;
    })();
    expect(err?.format()).toBe('g:2: expected 4 colon-separated fields (name:password:gid:members), found 3');
    expect(() => parseAccountFile('a\u001b[31m:x:1:\n', 'g', 'group')).toThrow('"a?[31m" is not a group name');
  });
});

describe('banner keys', () => {
  it('match whatever the era spelled them: PROXY_UID, ProxyUID, ENVOY_PORT, PROXY_INBOUND_CAPTURE_PORT', () => {
    const rs = { settings: [
      { key: 'ProxyUID', value: '1,2', line: 1 },
      { key: 'PROXY_UID', value: '9', line: 2 },
      { key: 'ENVOY_PORT', value: '', line: 3 },
      { key: 'PROXY_PORT', value: '12345', line: 4 },
      { key: 'PROXY_INBOUND_CAPTURE_PORT', value: '15006', line: 5 },
      { key: 'InboundTProxyRouteTable', value: '133', line: 6 },
    ] } as unknown as Ruleset;
    const b = bannerFacts(rs);
    expect(b.uid).toEqual({ key: 'ProxyUID', value: '1,2', line: 1 });
    expect(b.outbound?.line).toBe(4);
    expect(b.inbound?.value).toBe('15006');
    expect(b.tproxyTable?.line).toBe(6);
    expect(idList('1,2')).toEqual([1, 2]);
    const env = bannerFacts({ settings: [
      { key: 'ENVOY_PORT', value: '15001', line: 3 },
      { key: 'INBOUND_CAPTURE_PORT', value: '15006', line: 4 },
      { key: 'PROXY_PORT', value: '12345', line: 14 },
    ] } as unknown as Ruleset);
    expect(env.outbound?.line).toBe(14);
    expect(env.inbound?.line).toBe(4);
    expect(idList('1337,x')).toBeNull();
  });
});
