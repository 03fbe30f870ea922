/**
 * What an istio-init log's banner printed about the proxy (`PROXY_UID=1337`, the 1.27+
 * `Istio config:` block, …). Keys are compared without case and underscores, so
 * PROXY_UID, ProxyUID and proxy_uid are one key.
 */
import type { Ruleset, SourceSetting } from '../core/ruleset/model.js';

export type BannerKey = 'uid' | 'gid' | 'outbound' | 'inbound' | 'tunnel' | 'mode' | 'tproxyMark' | 'tproxyTable' | 'virtualIfaces' | 'excludeIfaces';

const KEYS: Record<string, BannerKey> = {
  proxyuid: 'uid',
  proxygid: 'gid',
  proxyport: 'outbound',
  envoyport: 'outbound',
  inboundcaptureport: 'inbound',
  proxyinboundcaptureport: 'inbound',
  inboundtunnelport: 'tunnel',
  proxytunnelport: 'tunnel',
  inboundinterceptionmode: 'mode',
  inboundtproxymark: 'tproxyMark',
  inboundtproxyroutetable: 'tproxyTable',
  kubevirtinterfaces: 'virtualIfaces',
  kubevirtinterface: 'virtualIfaces',
  reroutevirtualinterfaces: 'virtualIfaces',
  excludeinterfaces: 'excludeIfaces',
};

/** Keys only the 1.27+ `Istio config:` banner prints (tools/common/config Print()). */
const SINCE_1_27 = new Set(['nativenftables', 'reconcile', 'cleanuponly', 'forceapply', 'forceiptablesbinary']);

/** Keys of the banner's "Environment:" part: what the pod's environment said, before flags resolved it. */
const ENVIRONMENT = new Set(['envoyport', 'inboundcaptureport']);

const normOf = (s: SourceSetting) => s.key.replace(/[_\-.]/g, '').toLowerCase();

export type BannerFacts = Partial<Record<BannerKey, SourceSetting>> & {
  /** A key that dates the log to Istio 1.27 or later, where TPROXY runs the proxy as uid 1337, not root. */
  since127?: SourceSetting;
};

/** The banner's settings the pod model reads; the first of a key wins (a log may print it twice), a resolved one over the environment's. */
export function bannerFacts(ruleset: Ruleset): BannerFacts {
  const out: BannerFacts = {};
  for (const s of ruleset.settings ?? []) {
    const norm = normOf(s);
    const key = KEYS[norm];
    // The resolved "Variables" win over the raw "Environment" (ENVOY_PORT, INBOUND_CAPTURE_PORT) printed above them.
    if (key && s.value.trim() !== '' && (!out[key] || (ENVIRONMENT.has(normOf(out[key]!)) && !ENVIRONMENT.has(norm)))) out[key] = s;
    if (SINCE_1_27.has(norm)) out.since127 ??= s;
  }
  return out;
}

/** "1337" or "1,2" (Istio's lists) as numbers; null when any part is not a number. */
export function idList(text: string): number[] | null {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (!parts.length || !parts.every((p) => /^\d{1,10}$/.test(p))) return null;
  const ids = parts.map(Number);
  return ids.every((n) => n <= 4294967294) ? ids : null;
}

export function portOf(text: string): number | null {
  const t = text.trim();
  return /^\d{1,5}$/.test(t) && Number(t) <= 65535 ? Number(t) : null;
}

export function markOf(text: string): number | null {
  const t = text.trim();
  if (/^0x[0-9a-f]{1,8}$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  return /^\d{1,10}$/.test(t) && Number(t) <= 0xffffffff ? Number(t) : null;
}

export function nameList(text: string): string[] {
  return text.split(',').map((p) => p.trim()).filter((p) => /^[A-Za-z0-9_.:@-]{1,15}$/.test(p));
}
