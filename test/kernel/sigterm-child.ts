/**
 * Child process for the SIGTERM test: runs a kernel plan that cannot finish on its own
 * (its first SYN is dropped and the connect timeout is long) and prints every progress
 * report as a JSON line, so the parent knows what to look for after killing it.
 * argv: <compiled verify/index.js> <compiled verify/standin.js>
 */
const [indexPath, standinScript] = process.argv.slice(2);
const harness = (await import(indexPath!)) as typeof import('../../src/verify/index.js');

await harness.runKernelFlow(
  {
    rules: { ipv4: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --dport 9999 -j DROP\nCOMMIT\n' },
    listeners: [{ ns: 'pod', family: 'ipv4', proto: 'tcp', port: 15001, uid: 1337, gid: 1337 }],
    start: { ns: 'pod', proto: 'tcp', dst: '10.96.0.1', dport: 9999, uid: 1000, gid: 1000 },
    connectTimeoutMs: 60_000,
    timeoutMs: 120_000,
  },
  { standinScript: standinScript!, onProgress: (p) => process.stdout.write(`${JSON.stringify(p)}\n`) },
);
process.stdout.write(`${JSON.stringify({ phase: 'finished' })}\n`);
