/**
 * Can this machine run the kernel harness? Linux, root, and the programs it starts.
 *
 * The harness captures trace events with `nft monitor trace`, not `xtables-monitor --trace`:
 * xtables-monitor 1.8.9 exits ("Parsing nftables rule failed") on any traced IPv6 rule with a
 * port match, and nft reads the very same kernel events for both families. So xtables-monitor
 * is not required; nft is.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/** Absolute paths of every program the harness runs. */
export interface Tools {
  ip: string;
  nft: string;
  iptablesRestore: string;
  ip6tablesRestore: string;
  iptablesSave: string;
  ip6tablesSave: string;
  /** Writes /proc/sys values inside a namespace (`ip netns exec NS tee FILE`). */
  tee: string;
  /** Only for transparent (TPROXY) listeners, see transparent.ts; Debian package perl-base. */
  perl: string | null;
}

export type Capabilities =
  | { ok: true; tools: Tools }
  | { ok: false; missing: string; debianPackage: string; message: string };

/**
 * The only places programs are run from. verify runs as root, often as `sudo npx …`, whose
 * PATH starts with node_modules/.bin: a program found through the caller's PATH could be
 * anyone's. These directories belong to the system (root-owned on every distribution).
 */
export const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'] as const;

/** Find an executable by name in the system directories (never the caller's PATH); null if absent. */
export function findExecutable(name: string): string | null {
  for (const dir of SYSTEM_DIRS) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

function missing(what: string, debianPackage: string, why: string): Capabilities {
  return {
    ok: false,
    missing: what,
    debianPackage,
    message: `kernel harness unavailable: ${why}. Install the Debian package "${debianPackage}" (apt-get install ${debianPackage}).`,
  };
}

/**
 * iptables-restore must drive the nf_tables backend, or nft would not see the rules it loads.
 * Prefer the explicit `iptables-nft-*` names; accept the plain name if it reports nf_tables.
 */
function findNftVariant(plain: string): { path: string } | { error: string } {
  const nftName = plain.replace(/^(ip6?tables)-/, '$1-nft-');
  const explicit = findExecutable(nftName);
  if (explicit) return { path: explicit };
  const generic = findExecutable(plain);
  if (!generic) return { error: `${plain} not found` };
  let version = '';
  try {
    version = execFileSync(generic, ['--version'], { encoding: 'utf8', timeout: 5000, env: { PATH: SYSTEM_DIRS.join(':'), LC_ALL: 'C' } });
  } catch {
    return { error: `${plain} --version failed` };
  }
  if (!version.includes('nf_tables')) return { error: `${plain} uses the legacy backend, not nf_tables (${version.trim()})` };
  return { path: generic };
}

export function checkCapabilities(): Capabilities {
  if (process.platform !== 'linux') {
    return {
      ok: false,
      missing: 'linux',
      debianPackage: 'none',
      message: `kernel harness unavailable: it needs Linux network namespaces (this is ${process.platform}).`,
    };
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return {
      ok: false,
      missing: 'root',
      debianPackage: 'none',
      message: 'kernel harness unavailable: it must run as root (it creates network namespaces and loads iptables rules in them).',
    };
  }
  if (!existsSync('/proc/self/ns/net')) {
    return {
      ok: false,
      missing: 'netns',
      debianPackage: 'none',
      message: 'kernel harness unavailable: this kernel has no network namespaces (/proc/self/ns/net is missing).',
    };
  }
  const ip = findExecutable('ip');
  if (!ip) return missing('ip', 'iproute2', 'the `ip` program (iproute2) was not found');
  const nft = findExecutable('nft');
  if (!nft) return missing('nft', 'nftables', 'the `nft` program (nftables) was not found');
  const tee = findExecutable('tee');
  if (!tee) return missing('tee', 'coreutils', 'the `tee` program (coreutils) was not found');
  const found: Partial<Record<keyof Tools, string | null>> = { ip, nft, tee, perl: findExecutable('perl') };
  const variants: Array<[keyof Tools, string]> = [
    ['iptablesRestore', 'iptables-restore'],
    ['ip6tablesRestore', 'ip6tables-restore'],
    ['iptablesSave', 'iptables-save'],
    ['ip6tablesSave', 'ip6tables-save'],
  ];
  for (const [key, name] of variants) {
    const r = findNftVariant(name);
    if ('error' in r) return missing(name, 'iptables', r.error);
    found[key] = r.path;
  }
  return { ok: true, tools: found as Tools };
}
