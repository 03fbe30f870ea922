/**
 * Banner settings of every log era, read from the fixtures of test/fixtures/inputs/ (and a few
 * inline shapes): keys as printed, values verbatim, each with its file line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bannerSettings } from '../../src/sources/istio-init/banner-settings.js';
import { extractRuleBlocks } from '../../src/sources/extract.js';

const DIR = join(import.meta.dirname, '../fixtures/inputs');

function settingsOf(file: string): Array<[string, string, number]> {
  return extractRuleBlocks(readFileSync(join(DIR, file), 'utf8'), file).settings.map((s) => [s.key, s.value, s.line]);
}

/** For each log: the identity settings it must yield (a subset of all it yields). */
const CASES: Array<{ file: string; count: number; has: Array<[string, string, number]> }> = [
  { file: 'istio-1.4-xtrace.log', count: 22, has: [['PROXY_PORT', '15001', 15], ['PROXY_UID', '1337', 17], ['INBOUND_TPROXY_MARK', '1337', 19]] },
  { file: 'istio-1.5-plain.log', count: 23, has: [['ENVOY_PORT', '', 3], ['PROXY_UID', '1337', 17], ['PROXY_GID', '1337', 18]] },
  { file: 'istio-1.18-stdin.log', count: 37, has: [['PROXY_INBOUND_CAPTURE_PORT', '15006', 17], ['PROXY_UID', '1337', 19]] },
  { file: 'istio-1.25-json.log', count: 39, has: [['PROXY_UID', '1337', 2], ['INBOUND_INTERCEPTION_MODE', 'REDIRECT', 2]] },
  { file: 'vm-1.25-journald.log', count: 39, has: [['PROXY_UID', '997', 23], ['PROXY_GID', '997', 24]] },
  { file: 'vm-1.25-journald-iso.log', count: 39, has: [['PROXY_UID', '997', 23], ['PROXY_GID', '997', 24]] },
  { file: 'istio-1.28-config-banner.log', count: 43, has: [['PROXY_PORT', '15001', 16], ['PROXY_UID', '997', 19], ['FORCE_IPTABLES_BINARY', '', 46]] },
  {
    file: 'istio-1.28-config-json.kubectl-timestamps.log',
    count: 56,
    has: [['ProxyUID', '997', 20], ['PROXY_UID', '997', 20], ['InboundCapturePort', '15006', 18], ['PROXY_INBOUND_CAPTURE_PORT', '15006', 18], ['DNSServersV4', '', 36]],
  },
];

describe('banner settings of logs', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.count} settings, with ${c.has.map((h) => h[0]).join(', ')}`, () => {
      const got = settingsOf(c.file);
      expect(got).toHaveLength(c.count);
      for (const h of c.has) expect(got).toContainEqual(h);
    });
  }

  it('a dump has none', () => {
    expect(settingsOf('save-counters.txt')).toEqual([]);
  });

  it('a one-line JSON config, with JSON tags mapped to the banner names and values as text', () => {
    const lines = [{ text: 'Istio config: {"PROXY_UID":"3,4","INBOUND_CAPTURE_PORT":"15006","REDIRECT_DNS":true,"DNS_SERVERS_V4":["10.96.0.10"]}', line: 7 }];
    expect(bannerSettings(lines)).toEqual([
      { key: 'PROXY_UID', value: '3,4', line: 7 },
      { key: 'INBOUND_CAPTURE_PORT', value: '15006', line: 7 },
      { key: 'PROXY_INBOUND_CAPTURE_PORT', value: '15006', line: 7 },
      { key: 'REDIRECT_DNS', value: 'true', line: 7 },
      { key: 'DNS_CAPTURE', value: 'true', line: 7 },
      { key: 'DNS_SERVERS_V4', value: '10.96.0.10', line: 7 },
    ]);
  });

  it('KEY=value lines count only inside a banner; a JSON block that does not parse gives nothing', () => {
    const lines = ['PROXY_UID=5', 'Variables:', '----------', 'PROXY_UID=6', '', 'Writing following contents to rules file: /tmp/x', 'PROXY_UID=7', 'Istio config:', '{ "ProxyUID": ', '* nat']
      .map((text, i) => ({ text, line: i + 1 }));
    expect(bannerSettings(lines)).toEqual([{ key: 'PROXY_UID', value: '6', line: 4 }]);
  });
});
