/**
 * Generator options from istio-iptables' own configuration, below the pod
 * annotations: the Go config fields its tests set (capture/run_test.go,
 * `cfg.ProxyUID = "3,4"`), or the command-line flags of the 1.5 era
 * (`-p 12345 -u 4321 …`). These express what no annotation can: several
 * proxy uids/gids, another proxy port, no inbound capture at all.
 */
import { UsageError } from '../../core/errors.js';
import { parseCidrsOrWildcard, parseGroups, parseInterfaces, parseMode, parsePortsOrWildcard } from './annotation-values.js';
import { cloneOptions, type IstioOptions } from './options.js';

export type IstioConfigValue = string | boolean | string[];

/** One Go config field: how it changes the options. Fields with no effect on the rules map to null. */
type Apply = ((o: IstioOptions, v: IstioConfigValue) => void) | null;

const str = (name: string, v: IstioConfigValue): string => {
  if (typeof v !== 'string') throw new UsageError(`${name}: expected a string, got ${JSON.stringify(v)}`);
  return v;
};
const bool = (name: string, v: IstioConfigValue): boolean => {
  if (typeof v !== 'boolean') throw new UsageError(`${name}: expected true or false, got ${JSON.stringify(v)}`);
  return v;
};
const ids = (name: string, v: IstioConfigValue): number[] =>
  str(name, v)
    .split(',')
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d{1,10}$/.test(s)) throw new UsageError(`${name}: "${s}" is not a numeric id`);
      return Number(s);
    });
const port = (name: string, v: IstioConfigValue): number => {
  const s = str(name, v);
  if (!/^\d{1,5}$/.test(s)) throw new UsageError(`${name}: "${s}" is not a port`);
  return Number(s);
};
/** "" = none, "*" = all; Istio's splitter drops empty items ("6000,7000,"). */
const portsOrAll = (name: string, v: IstioConfigValue): number[] | '*' => (str(name, v) === '' ? [] : parsePortsOrWildcard(name, str(name, v).replace(/,+$/, '')));
const ports = (name: string, v: IstioConfigValue): number[] => {
  const p = portsOrAll(name, v);
  if (p === '*') throw new UsageError(`${name}: "*" is not allowed here`);
  return p;
};
const cidrsOrAll = (name: string, v: IstioConfigValue): string[] | '*' => (str(name, v) === '' ? [] : parseCidrsOrWildcard(name, str(name, v)));
const list = (name: string, v: IstioConfigValue): string[] => {
  if (!Array.isArray(v)) throw new UsageError(`${name}: expected a list, got ${JSON.stringify(v)}`);
  return v;
};

const FIELDS: Record<string, Apply> = {
  ProxyPort: (o, v) => (o.outboundPort = port('ProxyPort', v)),
  InboundCapturePort: (o, v) => (o.inboundPort = port('InboundCapturePort', v)),
  InboundTunnelPort: (o, v) => (o.tunnelPort = port('InboundTunnelPort', v)),
  ProxyUID: (o, v) => (o.proxyUid = ids('ProxyUID', v)),
  ProxyGID: (o, v) => (o.proxyGid = ids('ProxyGID', v)),
  InboundInterceptionMode: (o, v) => (o.mode = str('InboundInterceptionMode', v) === '' ? 'REDIRECT' : parseMode('InboundInterceptionMode', str('', v))),
  InboundTProxyMark: (o, v) => (o.tproxyMark = port('InboundTProxyMark', v)),
  InboundTProxyRouteTable: (o, v) => (o.tproxyTable = port('InboundTProxyRouteTable', v)),
  InboundPortsInclude: (o, v) => (o.includeInboundPorts = portsOrAll('InboundPortsInclude', v)),
  InboundPortsExclude: (o, v) => (o.excludeInboundPorts = ports('InboundPortsExclude', v)),
  OutboundPortsInclude: (o, v) => (o.includeOutboundPorts = ports('OutboundPortsInclude', v)),
  OutboundPortsExclude: (o, v) => (o.excludeOutboundPorts = ports('OutboundPortsExclude', v)),
  OutboundIPRangesInclude: (o, v) => (o.includeOutboundIPRanges = cidrsOrAll('OutboundIPRangesInclude', v)),
  OutboundIPRangesExclude: (o, v) => {
    const c = cidrsOrAll('OutboundIPRangesExclude', v);
    if (c === '*') throw new UsageError('OutboundIPRangesExclude: "*" is not allowed');
    o.excludeOutboundIPRanges = c;
  },
  // Spelled KubevirtInterfaces up to 1.11, KubeVirtInterfaces after, RerouteVirtualInterfaces from 1.25.
  KubevirtInterfaces: (o, v) => (o.rerouteVirtualInterfaces = str('KubevirtInterfaces', v) === '' ? [] : parseInterfaces('KubevirtInterfaces', str('', v))),
  KubeVirtInterfaces: (o, v) => (o.rerouteVirtualInterfaces = str('KubeVirtInterfaces', v) === '' ? [] : parseInterfaces('KubeVirtInterfaces', str('', v))),
  RerouteVirtualInterfaces: (o, v) =>
    (o.rerouteVirtualInterfaces = str('RerouteVirtualInterfaces', v) === '' ? [] : parseInterfaces('RerouteVirtualInterfaces', str('', v))),
  ExcludeInterfaces: (o, v) => (o.excludeInterfaces = str('ExcludeInterfaces', v) === '' ? [] : parseInterfaces('ExcludeInterfaces', str('', v))),
  EnableInboundIPv6: (o, v) => (o.ipv6 = bool('EnableInboundIPv6', v)),
  EnableIPv6: (o, v) => (o.ipv6 = bool('EnableIPv6', v)),
  RedirectDNS: (o, v) => (o.dnsCapture = bool('RedirectDNS', v)),
  CaptureAllDNS: (o, v) => (o.captureAllDns = bool('CaptureAllDNS', v)),
  // The test configs list v4 and v6 nameservers apart; the generator takes them mixed.
  DNSServersV4: (o, v) => (o.dnsServers = [...list('DNSServersV4', v), ...o.dnsServers.filter((s) => s.includes(':'))]),
  DNSServersV6: (o, v) => (o.dnsServers = [...o.dnsServers.filter((s) => !s.includes(':')), ...list('DNSServersV6', v)]),
  DropInvalid: (o, v) => (o.dropInvalid = bool('DropInvalid', v)),
  OwnerGroupsInclude: (o, v) => (o.ownerGroupsInclude = parseGroups('OwnerGroupsInclude', str('', v))),
  OwnerGroupsExclude: (o, v) => {
    const g = str('OwnerGroupsExclude', v) === '' ? [] : parseGroups('OwnerGroupsExclude', str('', v));
    if (g === '*') throw new UsageError('OwnerGroupsExclude: "*" is not allowed');
    o.ownerGroupsExclude = g;
  },
  HostIPv4LoopbackCidr: (o, v) => (o.loopbackCidr = str('HostIPv4LoopbackCidr', v)),
  // How istio-iptables runs, not which rules it makes.
  DryRun: null,
  RestoreFormat: null,
  // Trace logging added LOG rules up to 1.24 (not modelled; see the corpus's not-expressible list); 1.25 made it a no-op.
  TraceLogging: null,
};

/**
 * The options istio-iptables would run with for a Go config (field → value,
 * as in its tests), on top of `base`. Every field not set here takes Istio's
 * zero value: no inbound ports, no ranges, no DNS servers.
 */
export function optionsFromIstioConfig(base: IstioOptions, config: Record<string, IstioConfigValue>): IstioOptions {
  const o = cloneOptions(base);
  Object.assign(o, {
    includeInboundPorts: [],
    excludeInboundPorts: [],
    includeOutboundIPRanges: [],
    excludeOutboundIPRanges: [],
    includeOutboundPorts: [],
    excludeOutboundPorts: [],
    rerouteVirtualInterfaces: [],
    excludeInterfaces: [],
    dnsServers: [],
    statusPort: undefined,
  } satisfies Partial<IstioOptions>);
  for (const [k, v] of Object.entries(config)) {
    if (!(k in FIELDS)) throw new UsageError(`istio-iptables config field ${k} is not modelled`);
    FIELDS[k]?.(o, v);
  }
  return o;
}

/** The istio-iptables flags of 1.5 (short forms) → the config fields they set. */
const FLAGS: Record<string, string> = {
  '-p': 'ProxyPort',
  '-z': 'InboundCapturePort',
  '-u': 'ProxyUID',
  '-g': 'ProxyGID',
  '-m': 'InboundInterceptionMode',
  '-t': 'InboundTProxyMark',
  '-r': 'InboundTProxyRouteTable',
  '-b': 'InboundPortsInclude',
  '-d': 'InboundPortsExclude',
  '-o': 'OutboundPortsExclude',
  '-q': 'OutboundPortsInclude',
  '-i': 'OutboundIPRangesInclude',
  '-x': 'OutboundIPRangesExclude',
  '-k': 'KubeVirtInterfaces',
  '-c': 'ExcludeInterfaces',
};

/**
 * A command line of istio-iptables (`-p 12345 -u 4321 -m TPROXY …`) as the
 * config it sets, with 1.5's defaults for what is not given, as the
 * goldens' own banners print them: PROXY_PORT=15001,
 * PROXY_INBOUND_CAPTURE_PORT=15006, PROXY_UID=1337,0 and PROXY_GID=1337,0
 * (1337 plus what the test stub's `id` answered), mark 1337, table 133.
 */
export function istioConfigFromFlags(flags: string): Record<string, IstioConfigValue> {
  const c: Record<string, IstioConfigValue> = {
    ProxyPort: '15001',
    InboundCapturePort: '15006',
    ProxyUID: '1337,0',
    ProxyGID: '1337,0',
    InboundTProxyMark: '1337',
    InboundTProxyRouteTable: '133',
  };
  const words = flags.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i += 2) {
    const field = FLAGS[words[i]!];
    const value = words[i + 1];
    if (!field || value === undefined) throw new UsageError(`istio-iptables flag ${words[i]}: not modelled or missing its value`);
    c[field] = value;
  }
  return c;
}
