/**
 * The values rules and flows share: the pod's addresses, ports, uids and marks. Rules draw their
 * option values from here, so they sometimes match the flows and sometimes do not.
 */
import type { Family } from '../../src/core/types.js';

export const POD4 = '10.244.1.5';
export const REMOTE4 = '10.244.2.7';
export const DNS4 = '10.96.0.10';
export const SERVICE4 = '10.96.0.15';
export const POD6 = 'fd00:10:244:1::5';
export const REMOTE6 = 'fd00:10:244:2::7';
export const DNS6 = 'fd00:10:96::a';

export const ADDRESSES: Record<Family, readonly string[]> = {
  ipv4: [POD4, REMOTE4, DNS4, SERVICE4, '127.0.0.1', '127.0.0.6', '10.244.1.0/24', '10.244.0.0/16', '10.96.0.0/16', '127.0.0.0/8', '192.168.7.1'],
  ipv6: [POD6, REMOTE6, DNS6, '::1', '::6', 'fd00:10:244:1::/64', 'fd00:10:244::/48', 'fd00:10:96::/64', 'fd00:99::1'],
};

/** Pairs for -m iprange: a range that holds a flow's address, and one that does not. */
export const RANGES: Record<Family, readonly string[]> = {
  ipv4: ['10.244.1.1-10.244.1.9', '10.244.2.1-10.244.2.9', '127.0.0.1-127.0.0.6', '10.96.0.1-10.96.0.20', '192.168.0.1-192.168.0.9'],
  ipv6: ['fd00:10:244:1::1-fd00:10:244:1::9', 'fd00:10:244:2::1-fd00:10:244:2::9', '::1-::6', 'fd00:99::1-fd00:99::9'],
};

export const PORTS = [22, 53, 80, 443, 3306, 8080, 9080, 15000, 15001, 15006, 15008, 15020, 15021, 15053, 15090] as const;
export const PORT_RANGES = ['1024:65535', '15000:15100', '1:1023', '9000:9999'] as const;
export const IDS = [0, 1000, 1337] as const;
export const MARKS = ['0x539', '0x1', '0x10', '0x0', '0x4000'] as const;
export const MASKS = ['', '/0xffffffff', '/0xff', '/0x539', '/0x4000'] as const;
export const IFACES = ['lo', 'eth0', 'eth+'] as const;
