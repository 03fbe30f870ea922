/** Pure helpers behind check and diff: expectations, line diff, route keys, source specs, matrix, grid, progress, JUnit escaping, atomic write. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { writeOutputFile } from '../../src/cli/atomic-write.js';
import { evaluate, normalizePath, viaOf, type Expectation } from '../../src/analysis/expectations.js';
import type { CliIo } from '../../src/cli/io.js';
import { startProgress } from '../../src/cli/progress.js';
import { parseSourceSpec, withAnnotations } from '../../src/cli/source-spec.js';
import { routeKey } from '../../src/analysis/trace-diff.js';
import type { Hop, Step, Trace } from '../../src/core/trace.js';
import { APP_PORTS, builtinMatrix, ISTIO_PORTS } from '../../src/istio/matrix.js';
import { palette } from '../../src/render/palette.js';
import { ASCII_CHARS, renderGrid } from '../../src/render/grid.js';
import { xmlEscape } from '../../src/render/junit.js';
import { lineDiff } from '../../src/render/line-diff.js';

function step(chain: string, rule: number | null, verdict: Step['verdict'], target: string | null, kind: Step['kind'] = 'rule', hook: Step['hook'] = 'OUTPUT'): Step {
  return { hook, table: 'nat', chain, rule, kind, target, verdict, text: null };
}

function hop(index: number, steps: Step[], decidedBy: Hop['decidedBy'], outcome: Hop['outcome']): Hop {
  const packet = { proto: 'tcp', src: '10.244.1.5', sport: 40000, dst: '10.244.2.7', dport: 80, in: null, out: 'eth0', uid: 1000, gid: 1000, mark: 0 };
  return { index, actor: 'app', family: 'ipv4', packet, steps, decidedBy, outcome, notes: [] };
}

/** App -> remote through Envoy outbound, with ISTIO_OUTPUT's capture rule at `n` and the uid rule at `m`. */
function outbound(n = 9, m = 4): Trace {
  return {
    schemaVersion: 1,
    ruleset: { source: 'test', format: 'iptables-save', families: ['ipv4'] },
    flow: { title: 't', proto: 'tcp', src: '10.244.1.5', sport: 40000, dst: '10.244.2.7', dport: 80, uid: 1000, gid: 1000, via: null, inIface: null },
    hops: [
      hop(1, [step('OUTPUT', 1, 'jump', 'ISTIO_OUTPUT'), step('ISTIO_OUTPUT', n, 'jump', 'ISTIO_REDIRECT'), step('ISTIO_REDIRECT', 1, 'accept', 'REDIRECT')], { table: 'nat', chain: 'ISTIO_OUTPUT', rule: n }, {
        type: 'delivered',
        role: 'envoy-outbound',
        listener: 'Envoy outbound (15001)',
      }),
      hop(2, [step('OUTPUT', 1, 'jump', 'ISTIO_OUTPUT'), step('ISTIO_OUTPUT', m, 'return', null), step('OUTPUT', null, 'accept', 'ACCEPT', 'policy')], { table: 'nat', chain: 'ISTIO_OUTPUT', rule: m }, {
        type: 'egress',
        iface: 'eth0',
      }),
    ],
    path: `Local Pod → OUTPUT → ISTIO_OUTPUT RULE ${n} → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT → ISTIO_OUTPUT RULE ${m} → POSTROUTING → Remote Pod`,
    notes: [],
    warnings: [],
  };
}

describe('evaluate', () => {
  const t = outbound();
  const cases: Array<[string, Expectation, Array<[string, boolean, unknown, unknown]>]> = [
    ['via', { via: ['envoy-outbound'] }, [['via', true, 'envoy-outbound', 'envoy-outbound']]],
    ['via none', { via: [] }, [['via', false, 'none', 'envoy-outbound']]],
    ['decidedBy policy', { decidedBy: { hop: 2, table: null, chain: 'ISTIO_OUTPUT', rule: 'policy' } }, [['decidedBy', false, 'hop 2: ISTIO_OUTPUT policy', 'hop 2: ISTIO_OUTPUT rule 4']]],
    ['outcome', { outcome: 'egress' }, [['outcome', true, 'egress', 'egress']]],
    ['ASCII path', { path: t.path.replace(/ → /g, ' -> ') }, [['path', true, t.path, t.path]]],
    [
      'hop steps',
      { hops: [{ hop: 2, steps: ['nat OUTPUT#1  JUMP:ISTIO_OUTPUT', 'nat ISTIO_OUTPUT#4 RETURN', 'nat OUTPUT policy:ACCEPT'] }] },
      [['hop 2 steps', true, ['nat OUTPUT#1 JUMP:ISTIO_OUTPUT', 'nat ISTIO_OUTPUT#4 RETURN', 'nat OUTPUT policy:ACCEPT'], ['nat OUTPUT#1 JUMP:ISTIO_OUTPUT', 'nat ISTIO_OUTPUT#4 RETURN', 'nat OUTPUT policy:ACCEPT']]],
    ],
    ['listener role and label', { hops: [{ hop: 1, listener: 'envoy-outbound' }, { hop: 1, listener: 'Envoy outbound (15001)' }] }, [['hop 1 listener', true, 'envoy-outbound', 'envoy-outbound'], ['hop 1 listener', true, 'Envoy outbound (15001)', 'Envoy outbound (15001)']]],
  ];
  for (const [name, e, want] of cases) {
    it(name, () => expect(evaluate(t, e).map((r) => [r.name, r.pass, r.expected, r.actual])).toEqual(want));
  }
  it('via lists the capture listeners in hop order', () => expect(viaOf(t)).toEqual(['envoy-outbound']));
  it('normalizePath accepts ASCII arrows and extra blanks', () => expect(normalizePath('  a  ->  b -> c ')).toBe('a → b → c'));
});

describe('lineDiff', () => {
  const show = (a: string[], b: string[]) => lineDiff(a, b).map((d) => `${d.op}${d.text}`);
  it('keeps common lines and puts removals before additions', () => {
    expect(show(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual([' a', '-b', '+x', ' c']);
  });
  it('handles empty sides and appended lines', () => {
    expect(show([], ['a'])).toEqual(['+a']);
    expect(show(['a'], [])).toEqual(['-a']);
    expect(show(['a'], ['a', 'b'])).toEqual([' a', '+b']);
    expect(show(['a', 'b', 'c', 'd'], ['b', 'd', 'e'])).toEqual(['-a', ' b', '-c', ' d', '+e']);
  });
});

describe('routeKey', () => {
  it('ignores rule numbers: rules inserted above renumber without changing the route', () => {
    expect(routeKey(outbound(11, 6))).toBe(routeKey(outbound(9, 4)));
  });
  it('sees a different kind of deciding rule, and a different outcome', () => {
    const returned = outbound();
    returned.hops = [hop(1, [step('OUTPUT', 1, 'jump', 'ISTIO_OUTPUT'), step('ISTIO_OUTPUT', 1, 'return', null)], { table: 'nat', chain: 'ISTIO_OUTPUT', rule: 1 }, { type: 'egress' })];
    returned.path = 'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 1 → POSTROUTING → Remote Pod';
    expect(routeKey(returned)).not.toBe(routeKey(outbound()));
  });
  it('treats a policy as a policy, whichever built-in chain it was', () => {
    const a = outbound();
    a.hops = [hop(1, [step('OUTPUT', null, 'accept', 'ACCEPT', 'policy')], { table: 'nat', chain: 'OUTPUT', rule: null }, { type: 'egress' })];
    a.path = 'Local Pod → POSTROUTING → Remote Pod';
    const b = structuredClone(a);
    b.hops[0]!.steps.push(step('POSTROUTING', null, 'accept', 'ACCEPT', 'policy', 'POSTROUTING'));
    b.hops[0]!.decidedBy = { table: 'nat', chain: 'POSTROUTING', rule: null };
    expect(routeKey(b)).toBe(routeKey(a));
  });
});

describe('source specs', () => {
  it('reads profile:, istio: with annotations, and files', () => {
    expect(parseSourceSpec('profile:istio-1.13', 'BEFORE').flags).toEqual({ profile: 'istio-1.13' });
    expect(parseSourceSpec('istio:1.25+a/b=1+c=2', 'AFTER').flags).toEqual({ istioVersion: '1.25', annotation: ['a/b=1', 'c=2'] });
    expect(parseSourceSpec('dumps/pod.txt', 'AFTER').flags).toEqual({ rules: 'dumps/pod.txt' });
    expect(() => parseSourceSpec('profile:', 'BEFORE')).toThrow(/names no profile/);
    expect(() => parseSourceSpec('istio:1.25+novalue', 'AFTER')).toThrow(/is not KEY=VALUE/);
  });
  it('adds flag annotations to generated sources only', () => {
    expect(withAnnotations(parseSourceSpec('istio:1.25', 'AFTER'), ['k=v'], 'AFTER', '--annotation')).toEqual({ spec: 'istio:1.25+k=v', flags: { istioVersion: '1.25', annotation: ['k=v'] } });
    expect(() => withAnnotations(parseSourceSpec('profile:istio-1.25', 'AFTER'), ['k=v'], 'AFTER', '--annotation')).toThrow(/name it as istio:VERSION/);
  });
});

describe('builtinMatrix', () => {
  const m = builtinMatrix({ ipv4: '10.244.1.5', ipv6: 'fd00:10:244:1::5' });
  it('names every flow uniquely', () => {
    expect(m).toHaveLength(249);
    expect(new Set(m.map((f) => f.title)).size).toBe(m.length);
  });
  it('covers the six types, every Istio port inbound and from the pod, app ports tcp and udp, v4 and v6, localhost, own IP and Service-to-self', () => {
    const titles = m.map((f) => f.title!);
    for (const type of [1, 2, 3, 4, 5, 6]) expect(titles.some((t) => t.startsWith(`type ${type} `))).toBe(true);
    for (const port of ISTIO_PORTS) {
      expect(titles).toContain(`remote 10.244.2.7 -> pod 10.244.1.5:${port} tcp (Istio port)`);
      expect(titles).toContain(`remote fd00:10:244:2::7 -> pod [fd00:10:244:1::5]:${port} tcp (Istio port)`);
      expect(titles).toContain(`app (uid 1000) -> localhost 127.0.0.1:${port} tcp (Istio port)`);
    }
    for (const port of APP_PORTS) {
      for (const proto of ['tcp', 'udp']) {
        expect(titles).toContain(`app (uid 1000) -> remote 10.244.2.7:${port} ${proto}`);
        expect(titles).toContain(`sidecar (uid 1337) -> remote [fd00:10:244:2::7]:${port} ${proto}`);
        expect(titles).toContain(`remote 10.244.2.7 -> pod 10.244.1.5:${port} ${proto}`);
      }
      expect(titles).toContain(`app (uid 1000) -> own pod IP 10.244.1.5:${port} tcp`);
      expect(titles).toContain(`app (uid 1000) -> Service 10.96.0.15:${port} with endpoint this pod (Service-to-self) tcp`);
    }
  });
  it('leaves IPv6 out for a pod without an IPv6 address', () => {
    expect(builtinMatrix({ ipv4: '10.0.0.1', ipv6: null }).some((f) => f.dst?.startsWith('['))).toBe(false);
  });
});

describe('renderGrid', () => {
  const rows = [
    ['PASS', 'a flow name that wraps over two lines', '12', 'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT'],
    ['FAIL', 'x', '1', '✓ via  ✗ path'],
    ['', '日本語の名前', '3', 'wide characters go through cli-table3'],
  ];
  for (const [name, colors, ascii] of [['plain', false, false], ['coloured', true, false], ['ASCII', false, true]] as const) {
    it(`draws exactly what cli-table3 draws (${name})`, () => {
      const c = palette(colors);
      const painted = rows.map((r) => r.map((cell, i) => (i === 3 ? c.green(cell) : cell)));
      const ref = new Table({ head: ['Result', 'Flow', 'Line', 'Text'], colWidths: [8, 20, 6, 50], wordWrap: true, style: { head: [], border: [] }, ...(ascii ? { chars: ASCII_CHARS } : {}) });
      ref.push(...painted);
      // cli-table3 paints the whole cell once; the grid paints each wrapped line, so compare without the codes.
      const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
      const grid = renderGrid({ head: ['Result', 'Flow', 'Line', 'Text'], colWidths: [8, 20, 6, 50], ascii, colors: palette(false) }, rows.map((r) => r.map((cell, i) => (i === 3 ? [{ text: cell, paint: c.green }] : cell))));
      expect(strip(grid)).toBe(strip(ref.toString()));
      if (colors) expect(grid).toContain(c.green('Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 →'));
    });
  }
  it('is linear: ten thousand rows in seconds, not minutes', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ['PASS', `flow ${i}`, String(i), '✓ via  ✓ decidedBy  ✓ outcome']);
    const t0 = Date.now();
    const out = renderGrid({ head: ['Result', 'Flow', 'Line', 'Text'], colWidths: [8, 20, 6, 50], ascii: false, colors: palette(false) }, many);
    expect(out.split('\n')).toHaveLength(2 * 10_001 + 1);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

function fakeIo(tty: boolean): CliIo & { err: string } {
  const io = {
    err: '',
    stdout: () => {},
    stderr: (t: string) => void (io.err += t),
    readFile: () => Buffer.alloc(0),
    readStdin: () => Buffer.alloc(0),
    readInput: () => [],
    stdoutIsTTY: false,
    stderrIsTTY: tty,
    env: {},
    rulesDir: '',
    listDir: () => [],
  };
  return io;
}

describe('progress', () => {
  it('appears on a terminal only once the run is past the delay, and is cleared when it stops', () => {
    let now = 0;
    const io = fakeIo(true);
    const p = startProgress(io, 100, 'diff', { now: () => now });
    p.tick(10);
    now = 999;
    p.tick(20);
    expect(io.err).toBe('');
    now = 1001;
    p.tick(30);
    expect(io.err).toMatch(/diff \[=+-+\] 30% \| 30\/100 flows/);
    p.tick(100);
    p.stop();
    // clearOnComplete: the last thing written clears the bar's line.
    expect(io.err.endsWith('\u001b[2K')).toBe(true);
  });
  it('shows flows/s, and for a stream of unknown length the count and the rate alone', () => {
    let now = 0;
    const io = fakeIo(true);
    const p = startProgress(io, null, 'trace', { now: () => now });
    now = 2000;
    p.tick(512);
    expect(io.err).toMatch(/trace 512 flows \| 256 flows\/s/);
    p.stop();
    const known = fakeIo(true);
    now = 0;
    const q = startProgress(known, 1000, 'check', { now: () => now });
    now = 4000;
    q.tick(400);
    expect(known.err).toMatch(/check \[=+-+\] 40% \| 400\/1000 flows \| 100 flows\/s/);
    q.stop();
  });
  it('never appears without a terminal (CI logs)', () => {
    let now = 0;
    const io = fakeIo(false);
    const p = startProgress(io, 100, 'check', { now: () => now });
    now = 60_000;
    p.tick(50);
    p.stop();
    expect(io.err).toBe('');
  });
});

describe('JUnit escaping and atomic write', () => {
  it('escapes markup and drops characters XML cannot carry', () => {
    expect(xmlEscape(`a<b>&"c'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
  it('replaces a file through a temporary file in the same directory and leaves nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-atomic-'));
    const target = join(dir, 'r.xml');
    writeFileSync(target, 'old');
    const to = { flag: '--junit', inputs: [], stdout: () => {} };
    writeOutputFile(target, 'new', to);
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['r.xml']);
    expect(() => writeOutputFile(join(dir, 'no/r.xml'), 'x', to)).toThrow(/--junit .*no\/r\.xml: cannot write: no such directory/);
    expect(readdirSync(dir)).toEqual(['r.xml']);
  });
});
