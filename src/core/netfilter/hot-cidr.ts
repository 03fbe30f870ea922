/**
 * cidrContains for the engine's hot paths (rule headers, routes). Same answer;
 * for IPv4 the mask is computed in place, because a mask of /1 to /31 above 2^31
 * returned from a function is a heap number, allocated on every test.
 */
import { cidrContains, type Address, type Cidr } from '../net/address.js';

export function inCidr(cidr: Cidr, addr: Address): boolean {
  if (cidr.family !== addr.family) return false;
  if (cidr.family !== 'ipv4') return cidrContains(cidr, addr);
  const prefix = cidr.prefix;
  // A shift count is taken mod 32 in JavaScript, so /0 (mask 0) is spelled out.
  const mask = prefix === 0 ? 0 : -1 << (32 - prefix);
  return (((addr.value as number) & mask) >>> 0) === (cidr.base.value as number);
}
