/** The netfilter facts of issue 2 / kernel-traces.md, each as a small table. */
import { describe, expect, it } from 'vitest';
import { rulesetOf } from '../../helpers/rules.js';
import { hop } from '../../helpers/engine.js';

describe('hook traversal', () => {
  it('nat is skipped when a local packet loops back over lo; raw, mangle and filter still see it', () => {
    const rs = rulesetOf(
      [
        '*raw', '-A PREROUTING -i lo -j ACCEPT', 'COMMIT',
        '*mangle', '-A PREROUTING -i lo -j ACCEPT', '-A INPUT -i lo -j ACCEPT', 'COMMIT',
        '*nat', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', '-A PREROUTING -p tcp -j REDIRECT --to-ports 9999', '-A INPUT -p tcp -j ACCEPT', 'COMMIT',
        '*filter', '-A INPUT -i lo -p tcp -m tcp --dport 9080 -j ACCEPT', 'COMMIT',
      ].join('\n'),
    );
    const r = hop(rs, { src: '10.244.1.5', dst: '10.244.1.5', dport: 9080 });
    expect(r.notation).toEqual([
      'nat OUTPUT policy:ACCEPT',
      'nat POSTROUTING policy:ACCEPT',
      'raw PREROUTING#1 ACCEPT',
      'mangle PREROUTING#1 ACCEPT',
      'mangle INPUT#1 ACCEPT',
      'filter INPUT#1 ACCEPT',
    ]);
    expect(r.notes.join()).toMatch(/looped back over lo.*nat PREROUTING and nat INPUT skipped/);
    expect(r.outcome).toMatchObject({ type: 'delivered', port: 9080 });
  });

  it('filter OUTPUT sees the redirected port, because nat runs before filter', () => {
    const rs = rulesetOf(
      ['*nat', '-A OUTPUT -p tcp -j REDIRECT --to-ports 15001', 'COMMIT', '*filter', '-A OUTPUT -p tcp -m tcp --dport 9080 -j DROP', '-A OUTPUT -p tcp -m tcp --dport 15001 -j ACCEPT', 'COMMIT'].join('\n'),
    );
    const r = hop(rs, { dst: '10.244.2.7', dport: 9080 });
    expect(r.notation).toEqual(['nat OUTPUT#1 REDIRECT(ACCEPT)', 'filter OUTPUT#2 ACCEPT']);
    expect(r.final.dst.text).toBe('127.0.0.1');
    expect(r.final.dport).toBe(15001);
  });

  it('-o in OUTPUT sees the original route; after a REDIRECT the packet is re-routed to lo', () => {
    const rs = rulesetOf(
      ['*mangle', '-A OUTPUT -o eth0 -j ACCEPT', '-A POSTROUTING -o lo -j ACCEPT', 'COMMIT', '*nat', '-A OUTPUT -o eth0 -p tcp -j REDIRECT --to-ports 15001', 'COMMIT'].join('\n'),
    );
    const r = hop(rs, { dst: '10.244.2.7', dport: 80 });
    expect(r.notation).toEqual(['mangle OUTPUT#1 ACCEPT', 'nat OUTPUT#1 REDIRECT(ACCEPT)', 'mangle POSTROUTING#1 ACCEPT']);
    expect(r.entryOut).toBe('eth0');
    expect(r.outcome).toMatchObject({ type: 'delivered', port: 15001 });
  });

  it('REDIRECT in PREROUTING goes to the primary address of the incoming interface', () => {
    const rs = rulesetOf('*nat\n-A PREROUTING -p tcp -j REDIRECT --to-ports 15006\nCOMMIT');
    const r = hop(rs, { src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, in: 'eth0', noSocket: true });
    expect(r.final.dst.text).toBe('10.244.1.5');
    expect(r.final.dport).toBe(15006);
    expect(r.steps[0]!.effect).toMatch(/10\.244\.1\.5:9080 -> 10\.244\.1\.5:15006/);
  });

  it('REDIRECT in OUTPUT goes to ::1 for IPv6', () => {
    const rs = rulesetOf('*nat\n-A OUTPUT -p tcp -d fd00::/8 -j REDIRECT --to-ports 15001\nCOMMIT');
    const r = hop(rs, { src: 'fd00:10:244:1::5', dst: 'fd00:10:244:2::7', dport: 80 });
    expect(r.final.dst.text).toBe('::1');
    expect(r.outcome).toMatchObject({ type: 'delivered', port: 15001 });
  });

  it('a flow neither from nor to the pod takes FORWARD, with DNAT in PREROUTING and MASQUERADE in POSTROUTING', () => {
    const rs = rulesetOf(
      [
        '*nat', '-A PREROUTING -d 10.96.0.50/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.9.9:8080', '-A POSTROUTING -o eth0 -j MASQUERADE', 'COMMIT',
        '*filter', '-A FORWARD -d 10.244.9.9/32 -p tcp -m tcp --dport 8080 -j ACCEPT', 'COMMIT',
      ].join('\n'),
    );
    const r = hop(rs, { src: '10.1.1.1', dst: '10.96.0.50', dport: 80, in: 'eth0', noSocket: true });
    expect(r.notation).toEqual(['nat PREROUTING#1 DNAT(ACCEPT)', 'filter FORWARD#1 ACCEPT', 'nat POSTROUTING#1 MASQUERADE(ACCEPT)']);
    expect(r.outcome).toMatchObject({ type: 'forwarded', iface: 'eth0', address: '10.244.9.9', port: 8080 });
    expect(r.final.src.text).toBe('10.244.1.5');
  });

  it('a connection to a port nobody listens on is refused', () => {
    const rs = rulesetOf('*filter\n-A INPUT -j ACCEPT\nCOMMIT');
    const r = hop(rs, { src: '10.244.2.7', dst: '10.244.1.5', dport: 15000, in: 'eth0', noSocket: true });
    expect(r.outcome).toMatchObject({ type: 'rejected' });
    expect(r.outcome.detail).toMatch(/TCP RST/);
  });

  it('a UDP packet jumping to a TCP-only chain comes back and ends unmodified (implicit return)', () => {
    const rs = rulesetOf(['*nat', '-N ISTIO_OUTPUT', '-N ISTIO_REDIRECT', '-A OUTPUT -j ISTIO_OUTPUT', '-A ISTIO_OUTPUT -j ISTIO_REDIRECT', '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001', 'COMMIT'].join('\n'));
    const r = hop(rs, { proto: 'udp', dst: '10.96.0.10', dport: 53 });
    expect(r.notation).toEqual([
      'nat OUTPUT#1 JUMP:ISTIO_OUTPUT',
      'nat ISTIO_OUTPUT#1 JUMP:ISTIO_REDIRECT',
      'nat ISTIO_REDIRECT implicit-return',
      'nat ISTIO_OUTPUT implicit-return',
      'nat OUTPUT policy:ACCEPT',
    ]);
    expect(r.outcome).toMatchObject({ type: 'egress', iface: 'eth0' });
  });
});

describe('a connection redirected to loopback from a non-local source (IPv4)', () => {
  it('never completes: the SYN-ACK from 127.0.0.1 cannot be routed to the client (measured: OutNoRoutes)', () => {
    const rs = rulesetOf('*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -o lo -p tcp -j REDIRECT --to-ports 15006\nCOMMIT');
    // An original_src style connection: the client's address as source, to the pod's own IP.
    const r = hop(rs, { src: '10.244.2.7', dst: '10.244.1.5', dport: 53, uid: 0, gid: 1337 });
    expect(r.notation).toEqual(['nat OUTPUT#1 REDIRECT(ACCEPT)']);
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/SYN-ACK from 127\.0\.0\.1 to the non-local 10\.244\.2\.7 cannot be routed/);
  });
  it('completes when the source is local', () => {
    const rs = rulesetOf('*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -o lo -p tcp -j REDIRECT --to-ports 15006\nCOMMIT');
    expect(hop(rs, { src: '10.244.1.5', dst: '10.244.1.5', dport: 53 }).outcome).toMatchObject({ type: 'delivered', port: 15006 });
  });
});

describe('a local connection from a non-local source (IP_TRANSPARENT, as TPROXY original_src)', () => {
  // Measured on Linux 6.18 (test/pod/tproxy-goldens.test.ts has the setup): the SYN-ACK carries the
  // accepting socket's mark, not the SYN's, so with nothing to restore a mark it takes the main
  // table's route to the client, out of eth0, and the handshake never completes.
  it('is not delivered when the SYN-ACK to the client leaves by eth0', () => {
    const rs = rulesetOf('*mangle\n-A OUTPUT -p tcp -j ACCEPT\nCOMMIT');
    const r = hop(rs, { src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, uid: 0, gid: 1337, mark: 1337 });
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/SYN-ACK to the non-local client address 10\.244\.2\.7 \(no mark.*\) is routed out eth0, not back over lo/);
    expect(r.socket).toBeNull();
  });
  it('is unknown when mangle OUTPUT, which could re-mark the SYN-ACK, cannot be evaluated', () => {
    // Only the reply comes from port 9080: the SYN passes, the SYN-ACK meets the unknown match.
    const rs = rulesetOf('*mangle\n-A OUTPUT -p tcp -m tcp --sport 9080 -m nosuchmodule --flag -j MARK --set-mark 1337\nCOMMIT');
    const r = hop(rs, { src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, uid: 0, gid: 1337 });
    expect(r.notation).toEqual(['mangle OUTPUT policy:ACCEPT']);
    expect(r.outcome.type).toBe('unknown');
    expect(r.outcome.detail).toMatch(/depends on mangle OUTPUT/);
  });
});
