/**
 * The settings an istio-iptables log prints before its rules, every era:
 *
 * - `Environment:` / `Variables:` (1.5–1.10) and `Istio iptables environment:` /
 *   `Istio iptables variables:` (1.11–1.26): one `KEY=value` line each;
 * - `Istio config:` (1.27+, also `Istio nftables environment:`): the same `KEY=value`
 *   lines, or the config as a JSON object (Go field names such as ProxyUID, or the
 *   JSON tags such as PROXY_UID).
 *
 * Keys are kept as printed; a JSON key is also given under the `KEY=value` name the
 * banner prints for it, so the layers above look up one name. Nothing is interpreted
 * here: the proxy identity is inferred elsewhere.
 */
import type { SourceSetting } from '../../core/ruleset/model.js';

export interface BannerLine {
  text: string;
  line: number;
}

const HEADER = /^(?:Environment|Variables|Istio (?:iptables|nftables) (?:environment|variables)|Istio config):\s*(.*)$/;
const RULER = /^-{4,}$/;
const KEY_VALUE = /^([A-Z][A-Z0-9_]*)=(.*)$/;
/** A JSON banner longer than this is not a banner: stop collecting. */
const MAX_JSON_LINES = 200;

/** JSON keys of the config (Go field names and JSON tags) to the `KEY=value` name the banner prints. */
const JSON_KEYS: Record<string, string> = {
  ProxyPort: 'PROXY_PORT',
  InboundCapturePort: 'PROXY_INBOUND_CAPTURE_PORT',
  INBOUND_CAPTURE_PORT: 'PROXY_INBOUND_CAPTURE_PORT',
  InboundTunnelPort: 'PROXY_TUNNEL_PORT',
  INBOUND_TUNNEL_PORT: 'PROXY_TUNNEL_PORT',
  ProxyUID: 'PROXY_UID',
  ProxyGID: 'PROXY_GID',
  InboundInterceptionMode: 'INBOUND_INTERCEPTION_MODE',
  InboundTProxyMark: 'INBOUND_TPROXY_MARK',
  InboundTProxyRouteTable: 'INBOUND_TPROXY_ROUTE_TABLE',
  InboundPortsInclude: 'INBOUND_PORTS_INCLUDE',
  InboundPortsExclude: 'INBOUND_PORTS_EXCLUDE',
  OwnerGroupsInclude: 'OUTBOUND_OWNER_GROUPS_INCLUDE',
  OwnerGroupsExclude: 'OUTBOUND_OWNER_GROUPS_EXCLUDE',
  OutboundPortsInclude: 'OUTBOUND_PORTS_INCLUDE',
  OutboundPortsExclude: 'OUTBOUND_PORTS_EXCLUDE',
  OutboundIPRangesInclude: 'OUTBOUND_IP_RANGES_INCLUDE',
  OUTBOUND_IPRANGES_INCLUDE: 'OUTBOUND_IP_RANGES_INCLUDE',
  OutboundIPRangesExclude: 'OUTBOUND_IP_RANGES_EXCLUDE',
  OUTBOUND_IPRANGES_EXCLUDE: 'OUTBOUND_IP_RANGES_EXCLUDE',
  RerouteVirtualInterfaces: 'KUBE_VIRT_INTERFACES',
  KubeVirtInterfaces: 'KUBE_VIRT_INTERFACES',
  ExcludeInterfaces: 'EXCLUDE_INTERFACES',
  EnableIPv6: 'ENABLE_INBOUND_IPV6',
  EnableInboundIPv6: 'ENABLE_INBOUND_IPV6',
  DualStack: 'DUAL_STACK',
  RedirectDNS: 'DNS_CAPTURE',
  REDIRECT_DNS: 'DNS_CAPTURE',
  DropInvalid: 'DROP_INVALID',
  CaptureAllDNS: 'CAPTURE_ALL_DNS',
  NetworkNamespace: 'NETWORK_NAMESPACE',
  HostFilesystemPodNetwork: 'CNI_MODE',
  HostIPv4LoopbackCidr: 'HOST_IPV4_LOOPBACK_CIDR',
  NativeNftables: 'NATIVE_NFTABLES',
  ForceIptablesBinary: 'FORCE_IPTABLES_BINARY',
};

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(valueText).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Settings of a JSON config object; each key's line is the first line of the block naming it. */
function jsonSettings(text: string, block: BannerLine[], out: SourceSetting[]): boolean {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return false;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return false;
  for (const [key, v] of Object.entries(obj as Record<string, unknown>)) {
    const line = block.find((l) => l.text.includes(`"${key}"`))?.line ?? block[0]!.line;
    const value = valueText(v);
    out.push({ key, value, line });
    const mapped = JSON_KEYS[key];
    if (mapped && mapped !== key) out.push({ key: mapped, value, line });
  }
  return true;
}

/** Every banner setting of a log's logical lines, in line order. */
export function bannerSettings(lines: readonly BannerLine[]): SourceSetting[] {
  const out: SourceSetting[] = [];
  let inBanner = false;
  for (let i = 0; i < lines.length; i++) {
    const { text, line } = lines[i]!;
    const h = HEADER.exec(text);
    if (h) {
      inBanner = true;
      const rest = h[1]!;
      // `Istio config: {…}` on one line, or a JSON object starting on the next line.
      const jsonStart = rest.startsWith('{') ? i : rest === '' && lines[i + 1]?.text.startsWith('{') ? i + 1 : -1;
      if (jsonStart >= 0) {
        const block: BannerLine[] = [];
        let depth = 0;
        for (let k = jsonStart; k < lines.length && k < jsonStart + MAX_JSON_LINES; k++) {
          const t = k === i ? rest : lines[k]!.text;
          block.push({ text: t, line: lines[k]!.line });
          for (const c of t) depth += c === '{' ? 1 : c === '}' ? -1 : 0;
          if (depth <= 0) break;
        }
        if (jsonSettings(block.map((b) => b.text).join('\n'), block, out)) {
          i = jsonStart + block.length - 1;
          inBanner = false;
        }
      }
      continue;
    }
    if (!inBanner) continue;
    if (text === '' || RULER.test(text)) continue;
    const kv = KEY_VALUE.exec(text);
    if (kv) out.push({ key: kv[1]!, value: kv[2]!, line });
    else inBanner = false;
  }
  return out;
}
