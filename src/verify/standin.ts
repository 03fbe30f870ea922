/**
 * Stand-in process for the kernel harness: a plain listener, a stand-in Envoy's listening side,
 * a one-shot connector, or the trace prober. See standin-protocol.ts for the contract.
 *
 * It is started by the harness as root inside a network namespace
 * (`ip netns exec NS node standin.js '<json>'`; `ip netns exec` needs root, so the uid/gid
 * cannot be set on the spawned `ip` itself) and drops to the requested uid/gid before it
 * creates any socket. A socket records its creator's credentials, which is what the kernel's
 * owner match (`-m owner --uid-owner`, nft `skuid`) compares.
 *
 * Node built-ins only: this file must run on its own, compiled next to the harness.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { ConnectArgs, Endpoint, ListenArgs, ProbeArgs, StandinArgs, StandinEvent } from './standin-protocol.js';

function emit(event: StandinEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function fail(message: string): never {
  emit({ type: 'error', message });
  process.exit(1);
}

function dropPrivileges(uid: number, gid: number): void {
  if (!process.setgroups || !process.setgid || !process.setuid) fail('cannot change identity on this platform');
  // Order matters: supplementary groups and gid first, while we are still root.
  process.setgroups([]);
  process.setgid(gid);
  process.setuid(uid);
}

function endpoint(address: string | undefined, port: number | undefined): Endpoint {
  return { address: address ?? '', port: port ?? 0 };
}

function listen(args: ListenArgs): void {
  const wildcard = args.family === 'ipv6' ? '::' : '0.0.0.0';
  const host = args.address ?? wildcard;
  const ipv6Only = args.family === 'ipv6';
  if (args.proto === 'tcp') {
    const server = net.createServer((sock) => {
      emit({
        type: 'accepted',
        proto: 'tcp',
        local: endpoint(sock.localAddress, sock.localPort),
        remote: endpoint(sock.remoteAddress, sock.remotePort),
      });
      sock.on('error', () => sock.destroy());
      sock.resume();
    });
    server.on('error', (err) => fail(`listen tcp ${host}:${args.port}: ${err.message}`));
    const onListening = (): void => {
      const a = server.address() as net.AddressInfo;
      emit({ type: 'ready', local: endpoint(a.address, a.port) });
    };
    if (args.inheritedFd) server.listen({ fd: Number(process.argv[3]) }, onListening);
    else server.listen({ host, port: args.port, ipv6Only }, onListening);
  } else {
    const sock = dgram.createSocket({ type: args.family === 'ipv6' ? 'udp6' : 'udp4', ipv6Only });
    sock.on('error', (err) => fail(`listen udp ${host}:${args.port}: ${err.message}`));
    sock.on('message', (_msg, rinfo) => {
      const a = sock.address();
      emit({
        type: 'accepted',
        proto: 'udp',
        local: endpoint(a.address, a.port),
        remote: endpoint(rinfo.address, rinfo.port),
      });
    });
    sock.bind({ address: host, port: args.port }, () => {
      const a = sock.address();
      emit({ type: 'ready', local: endpoint(a.address, a.port) });
    });
  }
}

function connect(args: ConnectArgs): void {
  const family = net.isIPv6(args.dst) ? 6 : 4;
  const failed = (err: NodeJS.ErrnoException): never => {
    emit({ type: 'connect-failed', proto: args.proto, code: err.code ?? 'ERROR', message: err.message });
    process.exit(0);
  };
  if (args.proto === 'tcp') {
    const sock = net.connect({
      host: args.dst,
      port: args.dport,
      family,
      ...(args.src !== undefined ? { localAddress: args.src } : {}),
      ...(args.sport !== undefined ? { localPort: args.sport } : {}),
    });
    const timer = setTimeout(() => {
      sock.destroy();
      failed(Object.assign(new Error(`connect timed out after ${args.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, args.timeoutMs);
    sock.on('connect', () => {
      clearTimeout(timer);
      emit({
        type: 'connected',
        proto: 'tcp',
        local: endpoint(sock.localAddress, sock.localPort),
        remote: endpoint(sock.remoteAddress, sock.remotePort),
      });
      sock.destroy();
      process.exit(0);
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      failed(err);
    });
  } else {
    const sock = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    sock.on('error', failed);
    const send = (): void => {
      // connect() first, so the kernel picks the source address and we can report it.
      sock.once('connect', () => {
        const local = sock.address();
        sock.send('sidecar-trace', (err) => {
          if (err) failed(err);
          emit({
            type: 'connected',
            proto: 'udp',
            local: endpoint(local.address, local.port),
            remote: endpoint(args.dst, args.dport),
          });
          sock.close();
          process.exit(0);
        });
      });
      sock.connect(args.dport, args.dst);
    };
    if (args.src !== undefined || args.sport !== undefined) {
      sock.bind({ address: args.src ?? (family === 6 ? '::' : '0.0.0.0'), port: args.sport ?? 0 }, send);
    } else send();
  }
}

function probe(args: ProbeArgs): void {
  const sock = dgram.createSocket('udp4');
  sock.on('error', () => undefined); // every probe is dropped on purpose (EPERM)
  let buffered = '';
  process.stdin.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const n = Number(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (!Number.isInteger(n) || n < 0 || n > 0xffff) continue;
      const address = `${args.prefix}.${(n >> 8) & 255}.${n & 255}`;
      sock.send('probe', args.port, address, () => emit({ type: 'probe-sent', n }));
    }
  });
}

function main(): void {
  const raw = process.argv[2];
  if (raw === undefined) fail('usage: standin.js <json arguments>');
  let args: StandinArgs;
  try {
    args = JSON.parse(raw) as StandinArgs;
  } catch (err) {
    fail(`bad arguments: ${(err as Error).message}`);
  }
  // Never outlive the harness: when it goes away, our stdin closes.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  if (args.mode !== 'probe') dropPrivileges(args.uid, args.gid);
  emit({ type: 'started', pid: process.pid, uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 });
  switch (args.mode) {
    case 'listen':
      return listen(args);
    case 'connect':
      return connect(args);
    case 'probe':
      return probe(args);
    default:
      fail(`unknown mode ${(args as { mode: string }).mode}`);
  }
}

main();
