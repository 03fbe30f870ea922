/**
 * extractRuleBlocks: every input shape of reference §2.3 and §4.1–§4.3,
 * as tables. Fixtures live in test/fixtures/inputs/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import type { ExtractedInput, RuleBlock } from '../../src/sources/iptables/blocks.js';
import { extractRuleBlocks } from '../../src/sources/extract.js';
import type { RulesetFormat } from '../../src/core/ruleset/model.js';
import { tokenize } from '../../src/sources/iptables/tokenize.js';
import type { Family } from '../../src/core/types.js';

const DIR = join(import.meta.dirname, '../fixtures/inputs');
const fixture = (name: string) => readFileSync(join(DIR, name), 'utf8');

type At = [line: number, text: string];

interface BlockExpect {
  family: Family | null;
  kind: 'save' | 'restore';
  /** Number of lines, `*table` and `COMMIT` included. */
  count: number;
  first: At;
  /** The line right before the final COMMIT. */
  lastRule: At;
  last: At;
  /** Each table of the block: [line of `*table`, table, line of its COMMIT]. */
  tables: Array<[number, string, number]>;
  /** Further lines that must be present exactly. */
  contains?: At[];
}

interface FixtureCase {
  file: string;
  format: RulesetFormat;
  blocks: BlockExpect[];
  notes: string[];
}

const usingDump = (fam: string, input: string, restoreAt: number, saveAt: number) =>
  `${fam}: the log holds ${input} (line ${restoreAt}) and a later iptables-save dump (line ${saveAt}); using the dump, which shows what the kernel held (including rules that were already there or were added twice)`;

/** The save of the 1.5 default sidecar (reference §1.2) as it appears in the 1.5 log, from line 61. */
const v15save = (shift = 0): BlockExpect => ({
  family: 'ipv4',
  kind: 'save',
  count: 27,
  first: [61, '*nat'],
  lastRule: [86 + shift, '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001'],
  last: [87 + shift, 'COMMIT'],
  tables: [[61, 'nat', 87 + shift]],
  contains: [
    [62, ':PREROUTING ACCEPT [0:0]'],
    [69, ':ISTIO_REDIRECT - [0:0]'],
    [81, '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT'],
  ],
});

/** The 1.13 / 1.18 / 1.23 saves: 8 chain declarations and 18 rules, from line 73 or 75. */
const natSave = (start: number, ownerRule: string): BlockExpect => ({
  family: 'ipv4',
  kind: 'save',
  count: 28,
  first: [start, '*nat'],
  lastRule: [start + 26, '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001'],
  last: [start + 27, 'COMMIT'],
  tables: [[start, 'nat', start + 27]],
  contains: [
    [start + 1, ':PREROUTING ACCEPT [0:0]'],
    [start + 18, ownerRule],
  ],
});

const OWNER_113 = '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT';
const OWNER_118 = '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT';

const FIXTURES: FixtureCase[] = [
  {
    file: 'istio-1.5-plain.log',
    format: 'istio-init-log',
    blocks: [v15save()],
    notes: [usingDump('IPv4', 'restore input', 31, 61)],
  },
  {
    file: 'istio-1.5-docker.json.log',
    format: 'istio-init-log',
    blocks: [v15save()],
    notes: [usingDump('IPv4', 'restore input', 31, 61)],
  },
  {
    // The runtime split line 81 into a P and an F record: joined, numbered 81; later lines shift by one.
    file: 'istio-1.5-cri.log',
    format: 'istio-init-log',
    blocks: [v15save(1)],
    notes: [usingDump('IPv4', 'restore input', 31, 61)],
  },
  {
    file: 'istio-1.13-tsv.log',
    format: 'istio-init-log',
    blocks: [natSave(73, OWNER_113)],
    notes: [usingDump('IPv4', 'restore input', 41, 73)],
  },
  {
    file: 'istio-1.13-tsv.crlf-bom.log',
    format: 'istio-init-log',
    blocks: [natSave(73, OWNER_113)],
    notes: [usingDump('IPv4', 'restore input', 41, 73)],
  },
  {
    file: 'istio-1.18-stdin.log',
    format: 'istio-init-log',
    blocks: [natSave(75, OWNER_118)],
    notes: [usingDump('IPv4', 'restore input', 43, 75)],
  },
  {
    file: 'istio-1.23-legacy.log',
    format: 'istio-init-log',
    blocks: [natSave(73, OWNER_118)],
    notes: [usingDump('IPv4', 'restore input', 45, 73)],
  },
  {
    file: 'istio-1.25-final-state.log',
    format: 'istio-init-log',
    blocks: [
      {
        family: 'ipv4',
        kind: 'save',
        count: 35,
        first: [100, '*mangle'],
        lastRule: [135, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
        last: [136, 'COMMIT'],
        tables: [
          [100, 'mangle', 106],
          [109, 'nat', 136],
        ],
        contains: [[119, '-A OUTPUT -j ISTIO_OUTPUT']],
      },
      {
        family: 'ipv6',
        kind: 'save',
        count: 28,
        first: [141, '*nat'],
        lastRule: [167, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
        last: [168, 'COMMIT'],
        tables: [[141, 'nat', 168]],
        contains: [[159, '-A ISTIO_OUTPUT -s ::6/128 -o lo -j RETURN']],
      },
    ],
    notes: [usingDump('IPv4', 'restore input', 46, 100), usingDump('IPv6', 'restore input', 72, 141)],
  },
  {
    // --log_as_json: each record is one physical line; every line of a message keeps that number.
    file: 'istio-1.25-json.log',
    format: 'istio-init-log',
    blocks: [
      {
        family: 'ipv4',
        kind: 'save',
        count: 35,
        first: [5, '*mangle'],
        lastRule: [5, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
        last: [5, 'COMMIT'],
        tables: [
          [5, 'mangle', 5],
          [5, 'nat', 5],
        ],
        contains: [[5, ':ISTIO_IN_REDIRECT - [0:0]']],
      },
    ],
    notes: [usingDump('IPv4', 'restore input', 4, 5)],
  },
  {
    // bash xtrace: commands grouped per family and table; '!' quoted by bash comes out bare.
    file: 'istio-1.4-xtrace.log',
    format: 'istio-init-log',
    blocks: [
      {
        family: 'ipv4',
        kind: 'restore',
        count: 27,
        first: [29, '*nat'],
        lastRule: [51, '-A ISTIO_INBOUND -p tcp -j ISTIO_TPROXY'],
        last: [51, 'COMMIT'],
        tables: [
          [29, 'nat', 65],
          [35, 'mangle', 51],
        ],
        contains: [
          [30, '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-port 15001'],
          [41, '-A ISTIO_TPROXY ! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006'],
          [57, '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -j ISTIO_IN_REDIRECT'],
        ],
      },
      {
        family: 'ipv6',
        kind: 'restore',
        count: 6,
        first: [68, '*filter'],
        lastRule: [71, '-A INPUT -j REJECT'],
        last: [71, 'COMMIT'],
        tables: [[68, 'filter', 71]],
        contains: [[68, '-F INPUT']],
      },
    ],
    notes: [
      'line 38: routing set up outside iptables: ip -f inet rule add fwmark 1337 lookup 133',
      'line 39: routing set up outside iptables: ip -f inet route add local default dev lo table 133',
    ],
  },
  {
    // Istio 1.12 golden: `iptables -t …` lines, v4 then v6, tables interleaved.
    file: 'golden-1.12-commands.golden',
    format: 'commands',
    blocks: [
      {
        family: 'ipv4',
        kind: 'restore',
        count: 39,
        first: [1, '*nat'],
        lastRule: [35, '-I ISTIO_INBOUND 3 -p tcp -i lo -m mark ! --mark 1338 -j RETURN'],
        last: [35, 'COMMIT'],
        tables: [
          [1, 'nat', 27],
          [4, 'mangle', 35],
        ],
        contains: [[33, '-I ISTIO_INBOUND 1 -p tcp -m mark --mark 1337 -j RETURN']],
      },
      {
        family: 'ipv6',
        kind: 'restore',
        count: 39,
        first: [36, '*nat'],
        lastRule: [70, '-I ISTIO_INBOUND 3 -p tcp -i lo -m mark ! --mark 1338 -j RETURN'],
        last: [70, 'COMMIT'],
        tables: [
          [36, 'nat', 62],
          [39, 'mangle', 70],
        ],
        contains: [[54, '-A ISTIO_OUTPUT -o lo -s ::6/128 -j RETURN']],
      },
    ],
    notes: [],
  },
  {
    // Istio 1.24+ golden: literal save commands, v4 restore then v6 restore with nothing between.
    // The leading `ip6tables-save` line must not make the v4 restore input IPv6.
    file: 'golden-1.24-restore.golden',
    format: 'iptables-restore',
    blocks: [
      {
        family: null,
        kind: 'restore',
        count: 38,
        first: [3, '*mangle'],
        lastRule: [39, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
        last: [40, 'COMMIT'],
        tables: [
          [3, 'mangle', 21],
          [22, 'nat', 40],
        ],
        contains: [[18, '-I ISTIO_INBOUND 1 -p tcp -m mark --mark 1337 -j RETURN']],
      },
      {
        family: null,
        kind: 'restore',
        count: 38,
        first: [41, '*mangle'],
        lastRule: [77, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
        last: [78, 'COMMIT'],
        tables: [
          [41, 'mangle', 59],
          [60, 'nat', 78],
        ],
        contains: [[47, '-A ISTIO_TPROXY ! -d ::1/128 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006']],
      },
    ],
    notes: [],
  },
  {
    file: 'istio-cni-1.18.log',
    format: 'istio-init-log',
    blocks: [
      {
        family: 'ipv4',
        kind: 'restore',
        count: 25,
        first: [2, '*nat'],
        lastRule: [25, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
        last: [26, 'COMMIT'],
        tables: [[2, 'nat', 26]],
        contains: [[16, '-A ISTIO_OUTPUT -p tcp --dport 15020 -j RETURN']],
      },
      {
        family: 'ipv6',
        kind: 'restore',
        count: 25,
        first: [29, '*nat'],
        lastRule: [52, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
        last: [53, 'COMMIT'],
        tables: [[29, 'nat', 53]],
        contains: [[44, '-A ISTIO_OUTPUT -o lo -s ::6/128 -j RETURN']],
      },
    ],
    notes: [],
  },
  {
    file: 'restore-tproxy.txt',
    format: 'iptables-restore',
    blocks: [
      {
        family: null,
        kind: 'restore',
        count: 41,
        first: [1, '*mangle'],
        lastRule: [40, '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'],
        last: [41, 'COMMIT'],
        tables: [
          [1, 'mangle', 22],
          [23, 'nat', 41],
        ],
        contains: [[2, '-N ISTIO_DIVERT']],
      },
    ],
    notes: [],
  },
  {
    file: 'save-both-families.txt',
    format: 'iptables-save',
    blocks: [
      {
        family: 'ipv4',
        kind: 'save',
        count: 28,
        first: [2, '*nat'],
        lastRule: [28, '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001'],
        last: [29, 'COMMIT'],
        tables: [[2, 'nat', 29]],
      },
      {
        family: 'ipv6',
        kind: 'save',
        count: 28,
        first: [32, '*nat'],
        lastRule: [58, '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001'],
        last: [59, 'COMMIT'],
        tables: [[32, 'nat', 59]],
        contains: [[49, '-A ISTIO_OUTPUT -s ::6/128 -o lo -j RETURN']],
      },
    ],
    notes: [],
  },
  ...['save-counters.txt', 'save-counters.crlf-bom.txt'].map(
    (file): FixtureCase => ({
      file,
      format: 'iptables-save',
      blocks: [
        {
          family: 'ipv4',
          kind: 'save',
          count: 35,
          first: [2, '*mangle'],
          lastRule: [37, '[426:25560] -A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001'],
          last: [38, 'COMMIT'],
          tables: [
            [2, 'mangle', 8],
            [11, 'nat', 38],
          ],
          contains: [
            [3, ':PREROUTING ACCEPT [18342:1212817]'],
            [20, '[1236:74160] -A PREROUTING -p tcp -j ISTIO_INBOUND'],
          ],
        },
      ],
      notes: [],
    }),
  ),
];

/** [line of `*table`, table, line of the COMMIT that closes it] for every table of a block. */
function tablesOf(b: RuleBlock): Array<[number, string, number]> {
  const out: Array<[number, string, number]> = [];
  let open: { line: number; name: string } | null = null;
  for (const l of b.lines) {
    if (l.text.startsWith('*')) open = { line: l.line, name: l.text.slice(1) };
    else if (l.text === 'COMMIT' && open) {
      out.push([open.line, open.name, l.line]);
      open = null;
    }
  }
  return out;
}

const at = (b: RuleBlock, i: number): At => [b.lines.at(i)!.line, b.lines.at(i)!.text];

describe('extractRuleBlocks: fixtures', () => {
  for (const c of FIXTURES) {
    describe(c.file, () => {
      const got = extractRuleBlocks(fixture(c.file), c.file);
      it(`is ${c.format} with ${c.blocks.length} block(s)`, () => {
        expect(got.format).toBe(c.format);
        expect(got.blocks).toHaveLength(c.blocks.length);
      });
      c.blocks.forEach((want, i) => {
        it(`block ${i + 1}: ${want.family ?? 'unknown family'} ${want.kind}, lines ${want.first[0]}–${want.last[0]}`, () => {
          const b = got.blocks[i]!;
          expect(b.family).toBe(want.family);
          expect(b.kind).toBe(want.kind);
          expect(b.lines).toHaveLength(want.count);
          expect(at(b, 0)).toEqual(want.first);
          expect(at(b, -2)).toEqual(want.lastRule);
          expect(at(b, -1)).toEqual(want.last);
          expect(tablesOf(b)).toEqual(want.tables.map(([s, t, e]) => [s, t, e]));
          for (const [line, text] of want.contains ?? []) expect(b.lines).toContainEqual({ line, text });
        });
      });
      it('has the expected notes', () => expect(got.notes).toEqual(c.notes));
      it('emits only clean lines (no prefixes, CR, BOM or surrounding blanks)', () => {
        for (const b of got.blocks) {
          for (const l of b.lines) {
            expect(l.text).toMatch(/^(?:\*[a-z]+|:\S+ \S+ \[\d+:\d+\]|(?:\[\d+:\d+\] )?-[A-Z] \S.*|COMMIT)$/);
            expect(l.text).not.toMatch(/[\r\uFEFF\t]|\s$/);
          }
        }
      });
    });
  }

  it('the CRLF+BOM variants give exactly what the LF originals give', () => {
    for (const [lf, crlf] of [
      ['save-counters.txt', 'save-counters.crlf-bom.txt'],
      ['istio-1.13-tsv.log', 'istio-1.13-tsv.crlf-bom.log'],
    ] as const) {
      expect(fixture(crlf).startsWith('\uFEFF')).toBe(true);
      expect(fixture(crlf)).toContain('\r\n');
      expect(extractRuleBlocks(fixture(crlf), crlf)).toEqual(extractRuleBlocks(fixture(lf), lf));
    }
  });

  it('the docker json-file copy of the 1.5 log gives exactly what the plain log gives', () => {
    expect(extractRuleBlocks(fixture('istio-1.5-docker.json.log'), 'x')).toEqual(extractRuleBlocks(fixture('istio-1.5-plain.log'), 'x'));
  });

  it('re-emitted commands tokenize back to the shell arguments', () => {
    const got = extractRuleBlocks(fixture('istio-1.4-xtrace.log'), 'x');
    const line41 = got.blocks[0]!.lines.find((l) => l.line === 41)!;
    expect(tokenize(line41.text)).toEqual(tokenize("-A ISTIO_TPROXY '!' -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006", true));
  });
});

// ---------------------------------------------------------------------------
// Inline cases
// ---------------------------------------------------------------------------

const T = '\t';
const lines = (...ls: string[]) => ls.join('\n') + '\n';
const run = (text: string, file = 'in.txt'): ExtractedInput => extractRuleBlocks(text, file);
const summary = (r: ExtractedInput) =>
  r.blocks.map((b) => ({ family: b.family, kind: b.kind, lines: b.lines.map((l) => `${l.line}:${l.text}`) }));

describe('extractRuleBlocks: save vs restore', () => {
  const cases: Array<{ name: string; text: string; format: RulesetFormat; kind: 'save' | 'restore'; family: Family | null }> = [
    { name: 'save syntax (declarations, only -A)', text: lines('*nat', ':OUTPUT ACCEPT [0:0]', ':X - [0:0]', '-A OUTPUT -j X', 'COMMIT'), format: 'iptables-save', kind: 'save', family: null },
    { name: '`* nat` with a space is restore input', text: lines('* nat', ':X - [0:0]', '-A OUTPUT -j X', 'COMMIT'), format: 'iptables-restore', kind: 'restore', family: null },
    { name: '-N makes it restore input', text: lines('*nat', '-N X', '-A OUTPUT -j X', 'COMMIT'), format: 'iptables-restore', kind: 'restore', family: null },
    { name: '-I CHAIN n makes it restore input', text: lines('*nat', ':OUTPUT ACCEPT [0:0]', '-I OUTPUT 1 -j RETURN', 'COMMIT'), format: 'iptables-restore', kind: 'restore', family: null },
    { name: '-P makes it restore input', text: lines('*filter', '-P INPUT DROP', 'COMMIT'), format: 'iptables-restore', kind: 'restore', family: null },
    { name: '-A into an undeclared chain is restore input', text: lines('*nat', ':X - [0:0]', '-A OUTPUT -j X', 'COMMIT'), format: 'iptables-restore', kind: 'restore', family: null },
    { name: 'only -A, no declarations, is restore input', text: lines('*nat', '-A OUTPUT -p tcp -j RETURN', 'COMMIT'), format: 'iptables-restore', kind: 'restore', family: null },
    {
      name: 'ip6tables-legacy-save header marks IPv6',
      text: lines('# Generated by ip6tables-legacy-save v1.8.9 on Mon Jan  6 10:00:00 2025', '*nat', ':OUTPUT ACCEPT [0:0]', 'COMMIT', '# Completed on Mon Jan  6 10:00:00 2025'),
      format: 'iptables-save',
      kind: 'save',
      family: 'ipv6',
    },
    {
      name: 'iptables-nft-save header marks IPv4, the legacy warning is ignored',
      text: lines('# Warning: iptables-legacy tables present, use iptables-legacy-save to see them', '# Generated by iptables-nft-save v1.8.10 (nf_tables) on Fri Mar 14 10:02:11 2025', '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT'),
      format: 'iptables-save',
      kind: 'save',
      family: 'ipv4',
    },
    {
      name: 'an empty table under a Generated header is a save',
      text: lines('# Generated by iptables-save v1.8.9 on Mon Jan  6 10:00:00 2025', '*nat', 'COMMIT'),
      format: 'iptables-save',
      kind: 'save',
      family: 'ipv4',
    },
    {
      name: 'xtables-save (either family) leaves the family open',
      text: lines('# Generated by xtables-save v1.8.2 on Mon Jan  6 10:00:00 2025', '*nat', ':OUTPUT ACCEPT [0:0]', 'COMMIT'),
      format: 'iptables-save',
      kind: 'save',
      family: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = run(c.text);
      expect(r.format).toBe(c.format);
      expect(r.blocks.map((b) => [b.kind, b.family])).toEqual([[c.kind, c.family]]);
    });
  }

  it('keeps every operation of restore input in file order', () => {
    const r = run(lines('*nat', '-N A', '-A A -j RETURN', '-I A 1 -p tcp -j RETURN', '-D A 2', '-R A 1 -j RETURN', '-E A B', '-F B', '-X B', '-Z', 'COMMIT'));
    expect(summary(r)).toEqual([
      { family: null, kind: 'restore', lines: ['1:*nat', '2:-N A', '3:-A A -j RETURN', '4:-I A 1 -p tcp -j RETURN', '5:-D A 2', '6:-R A 1 -j RETURN', '7:-E A B', '8:-F B', '9:-X B', '10:-Z', '11:COMMIT'] },
    ]);
  });

  it('accepts tabs in place of spaces and keeps rule text as written', () => {
    const r = run(['*nat', `:PREROUTING${T}ACCEPT${T}[0:0]`, `:X${T}-${T}[0:0]`, `-A${T}PREROUTING${T}-p tcp${T}-j X`, `COMMIT${T}`].join('\n'));
    expect(r.format).toBe('iptables-save');
    expect(summary(r)).toEqual([
      { family: null, kind: 'save', lines: ['1:*nat', `2::PREROUTING${T}ACCEPT${T}[0:0]`, `3::X${T}-${T}[0:0]`, `4:-A${T}PREROUTING${T}-p tcp${T}-j X`, '5:COMMIT'] },
    ]);
  });

  it('`*` followed by a tab is a table header too', () => {
    expect(summary(run(`*${T}nat\n-A OUTPUT -j RETURN\nCOMMIT\n`))[0]!.lines[0]).toBe('1:*nat');
  });

  it('splits save output without headers where a table repeats (iptables-save; ip6tables-save | grep -v "^#")', () => {
    const r = run(lines('*nat', ':OUTPUT ACCEPT [0:0]', 'COMMIT', '*filter', ':INPUT ACCEPT [0:0]', 'COMMIT', '*nat', ':OUTPUT ACCEPT [0:0]', '-A OUTPUT -d ::1/128 -j RETURN', 'COMMIT'));
    expect(r.blocks.map((b) => [b.family, b.kind, b.lines[0]!.line, b.lines.at(-1)!.line])).toEqual([
      [null, 'save', 1, 6],
      [null, 'save', 7, 10],
    ]);
  });

  it('a COMMIT line may carry the key=value labels istio appends to a record', () => {
    const r = run(`2025-03-14T10:02:11.485113Z${T}info${T}Running iptables-restore with the following input:\n* nat\n-A OUTPUT -j RETURN\nCOMMIT${T}pod=default/web-0\n`);
    expect(summary(r)).toEqual([{ family: 'ipv4', kind: 'restore', lines: ['2:*nat', '3:-A OUTPUT -j RETURN', '4:COMMIT'] }]);
  });
});

describe('extractRuleBlocks: logs', () => {
  it('strips pasted prefixes whose tabs became spaces, with a known scope, and indented continuation lines', () => {
    const r = run(
      lines(
        '  2024-04-03T03:25:00.112365Z     info    cni    Running ip6tables-restore with the following input:',
        '  * nat',
        '  -N ISTIO_OUTPUT',
        '  -A OUTPUT -p tcp -j ISTIO_OUTPUT',
        '  COMMIT',
      ),
    );
    expect(r.format).toBe('istio-init-log');
    expect(summary(r)).toEqual([{ family: 'ipv6', kind: 'restore', lines: ['2:*nat', '3:-N ISTIO_OUTPUT', '4:-A OUTPUT -p tcp -j ISTIO_OUTPUT', '5:COMMIT'] }]);
  });

  it('strips kubectl --timestamps and --prefix prefixes', () => {
    const r = run(
      lines(
        `[pod/web-0/istio-init] 2025-03-14T10:02:11.502397123Z 2025-03-14T10:02:11.502397Z${T}info${T}Final iptables state (IPv6):`,
        '[pod/web-0/istio-init] 2025-03-14T10:02:11.502397223Z *nat',
        '[pod/web-0/istio-init] 2025-03-14T10:02:11.502397323Z :OUTPUT ACCEPT [0:0]',
        '[pod/web-0/istio-init] 2025-03-14T10:02:11.502397423Z COMMIT',
      ),
    );
    // No `# Generated by` header here: the family comes from the "(IPv6)" marker.
    expect(summary(r)).toEqual([{ family: 'ipv6', kind: 'save', lines: ['2:*nat', '3::OUTPUT ACCEPT [0:0]', '4:COMMIT'] }]);
  });

  it('unwraps a docker record holding an istio JSON record', () => {
    const inner = JSON.stringify({ level: 'info', time: '2025-03-14T10:02:11.485113Z', scope: 'cni-agent', msg: 'Running ip6tables-restore with the following input:\n* nat\n-A OUTPUT -j RETURN\nCOMMIT' });
    const r = run(JSON.stringify({ log: `${inner}\n`, stream: 'stderr', time: '2025-03-14T10:02:11.485200Z' }) + '\n');
    expect(summary(r)).toEqual([{ family: 'ipv6', kind: 'restore', lines: ['1:*nat', '1:-A OUTPUT -j RETURN', '1:COMMIT'] }]);
  });

  it('keeps only the last of several saves for one family', () => {
    const save = (n: number) => [`# Generated by iptables-save v1.8.7 on run ${n}`, '*nat', ':OUTPUT ACCEPT [0:0]', `-A OUTPUT -m comment --comment run${n} -j RETURN`, 'COMMIT'];
    const r = run(lines('+ iptables-save', ...save(1), '+ iptables-save', ...save(2)));
    expect(summary(r)).toEqual([{ family: 'ipv4', kind: 'save', lines: ['9:*nat', '10::OUTPUT ACCEPT [0:0]', '11:-A OUTPUT -m comment --comment run2 -j RETURN', '12:COMMIT'] }]);
    expect(r.notes).toEqual(['IPv4: the log holds 2 iptables-save dumps (lines 3, 9); using the last one (line 9)']);
  });

  it('keeps a save taken before the restore input, with the input applied on top of it', () => {
    const r = run(
      lines(
        `2024-09-16T18:06:38.010000Z${T}info${T}Running command (without lock): iptables-legacy-save`,
        `2024-09-16T18:06:38.011000Z${T}info${T}Command output:`,
        '*nat',
        ':OUTPUT ACCEPT [0:0]',
        'COMMIT',
        `2024-09-16T18:06:38.014303Z${T}info${T}Running iptables restore with: iptables-legacy-restore and the following input:`,
        '* nat',
        '-N ISTIO_OUTPUT',
        'COMMIT',
      ),
    );
    expect(r.blocks.map((b) => [b.family, b.kind, b.lines[0]!.line])).toEqual([
      ['ipv4', 'save', 3],
      ['ipv4', 'restore', 7],
    ]);
    expect(r.notes).toEqual(['IPv4: the iptables-save dump at line 3 was taken before the restore input or commands at line 7; they are applied on top of it']);
  });

  it('leaves out a traced command that failed, and prefers the dump that follows', () => {
    const r = run(
      lines(
        'Environment:',
        '------------',
        'ENVOY_PORT=',
        '',
        '+ iptables -t nat -N ISTIO_INBOUND',
        '+ iptables -t nat -N ISTIO_REDIRECT',
        'iptables: Chain already exists.',
        '+ dump',
        '+ iptables-save',
        '# Generated by iptables-save v1.6.1 on Tue Feb 11 18:40:08 2020',
        '*nat',
        ':PREROUTING ACCEPT [48979:2938740]',
        ':ISTIO_REDIRECT - [0:0]',
        'COMMIT',
        '# Completed on Tue Feb 11 18:40:08 2020',
      ),
    );
    expect(summary(r)).toEqual([{ family: 'ipv4', kind: 'save', lines: ['11:*nat', '12::PREROUTING ACCEPT [48979:2938740]', '13::ISTIO_REDIRECT - [0:0]', '14:COMMIT'] }]);
    expect(r.notes).toEqual([
      'line 6: "iptables -t nat -N ISTIO_REDIRECT" failed in the log (iptables: Chain already exists.); left out',
      'IPv4: the log holds iptables commands (line 5) and a later iptables-save dump (line 11); using the dump, which shows what the kernel held (including rules that were already there or were added twice)',
    ]);
  });

  it('converts every command form: retry wrapper, absolute path, -w, long options, default filter table, shell quoting', () => {
    const r = run(
      lines(
        '+ iptables_retry /usr/sbin/iptables -t nat -N ISTIO_REDIRECT',
        '+ iptables_retry /usr/sbin/iptables -t nat -A ISTIO_REDIRECT -p tcp -j REDIRECT --to-port 15001',
        "+ iptables -w 5 -A INPUT -m comment --comment 'istio \"probe\" port' -j ACCEPT",
        '+ iptables --table nat --insert PREROUTING 1 -i eth1 -j RETURN',
        '+ iptables -t nat -L -n',
        '+ ip6tables-legacy -t mangle -P PREROUTING ACCEPT',
      ),
    );
    expect(r.format).toBe('istio-init-log');
    expect(summary(r)).toEqual([
      {
        family: 'ipv4',
        kind: 'restore',
        lines: [
          '1:*nat',
          '1:-N ISTIO_REDIRECT',
          '2:-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-port 15001',
          '4:-I PREROUTING 1 -i eth1 -j RETURN',
          '4:COMMIT',
          '3:*filter',
          '3:-A INPUT -m comment --comment "istio \\"probe\\" port" -j ACCEPT',
          '3:COMMIT',
        ],
      },
      { family: 'ipv6', kind: 'restore', lines: ['6:*mangle', '6:-P PREROUTING ACCEPT', '6:COMMIT'] },
    ]);
    const comment = r.blocks[0]!.lines[6]!.text;
    expect(tokenize(comment)).toEqual(['-A', 'INPUT', '-m', 'comment', '--comment', 'istio "probe" port', '-j', 'ACCEPT']);
  });

  it('reads a 1.22–1.23 golden (commands, then the literal save commands) as commands', () => {
    const r = run(lines('iptables -t nat -N ISTIO_INBOUND', 'ip6tables -t nat -N ISTIO_INBOUND', 'iptables-save', 'ip6tables-save'));
    expect(r.format).toBe('commands');
    expect(r.notes).toEqual([]);
    expect(summary(r)).toEqual([
      { family: 'ipv4', kind: 'restore', lines: ['1:*nat', '1:-N ISTIO_INBOUND', '1:COMMIT'] },
      { family: 'ipv6', kind: 'restore', lines: ['2:*nat', '2:-N ISTIO_INBOUND', '2:COMMIT'] },
    ]);
  });

  it('in a log, `* word` is a table only for the kernel tables', () => {
    const r = run(lines('Environment:', '* note', 'Writing following contents to rules file:  /tmp/iptables-rules-1.txt2', '* raw', '-A OUTPUT -j RETURN', 'COMMIT'));
    expect(summary(r)).toEqual([{ family: 'ipv4', kind: 'restore', lines: ['4:*raw', '5:-A OUTPUT -j RETURN', '6:COMMIT'] }]);
  });

  it('reads istio 1.11+ "Running command:" lines of the non-restore mode as commands', () => {
    const r = run(lines(`2022-05-10T08:15:31.403079Z${T}info${T}Running command: iptables -t nat -N ISTIO_INBOUND`, `2022-05-10T08:15:31.403179Z${T}info${T}Running command: iptables -t nat -A PREROUTING -p tcp -j ISTIO_INBOUND`));
    expect(summary(r)).toEqual([{ family: 'ipv4', kind: 'restore', lines: ['1:*nat', '1:-N ISTIO_INBOUND', '2:-A PREROUTING -p tcp -j ISTIO_INBOUND', '2:COMMIT'] }]);
  });

  it('notes an iptables-restore error and rule lines outside any table', () => {
    const r = run(
      lines(
        'Writing following contents to rules file:  /tmp/iptables-rules-1590592535343591764.txt532247932',
        '* nat',
        '-N ISTIO_REDIRECT',
        'COMMIT',
        'iptables-restore --noflush /tmp/iptables-rules-1590592535343591764.txt532247932',
        'iptables-restore: line 2 failed',
        '-A ISTIO_OUTPUT -j RETURN',
      ),
    );
    expect(summary(r)).toEqual([{ family: 'ipv4', kind: 'restore', lines: ['2:*nat', '3:-N ISTIO_REDIRECT', '4:COMMIT'] }]);
    expect(r.notes).toEqual(['line 6: iptables-restore reported an error: iptables-restore: line 2 failed', 'ignored 1 rule line outside any "*table" … "COMMIT" block (first at line 7)']);
  });

  it('notes lines of a plain dump that are not iptables syntax', () => {
    const r = run(lines('root@node-1:~# nsenter -t 364014 -n -- iptables-save', '*nat', ':OUTPUT ACCEPT [0:0]', 'COMMIT'));
    expect(r.format).toBe('iptables-save');
    expect(r.notes).toEqual(['line 1: ignored (not iptables syntax): "root@node-1:~# nsenter -t 364014 -n -- iptables-save"']);
  });

  it('a `$ iptables-save` prompt line before a dump is tolerated silently', () => {
    const r = run(lines('$ sudo nsenter -t 364014 -n -- ip6tables-save', '*nat', ':OUTPUT ACCEPT [0:0]', 'COMMIT'));
    expect(r.notes).toEqual([]);
    expect(r.blocks.map((b) => [b.family, b.kind])).toEqual([['ipv6', 'save']]);
  });
});

describe('extractRuleBlocks: errors', () => {
  const cases: Array<{ name: string; text: string; where: string; message: string }> = [
    { name: 'empty input', text: '', where: 'in.txt:1', message: 'empty input: no iptables rules found' },
    { name: 'only whitespace', text: ' \n\t\r\n\n', where: 'in.txt:1', message: 'empty input: no iptables rules found' },
    { name: 'only comments', text: '# Generated by iptables-save v1.8.9 on Mon\n# Completed on Mon\n', where: 'in.txt:1', message: 'empty input: no iptables rules found' },
    { name: 'NUL bytes', text: '*nat\n:OUTPUT ACCEPT [0:0]\nCO\0MMIT\n', where: 'in.txt:3', message: 'not an iptables dump (binary data)' },
    { name: 'mostly non-text', text: '\u0001\u0002\u0003\ufffd\ufffd\u0007abc\ufffd\u0010', where: 'in.txt:1', message: 'not an iptables dump (binary data)' },
    { name: 'missing COMMIT at the end', text: lines('*nat', ':OUTPUT ACCEPT [0:0]', 'COMMIT', '*filter', ':INPUT ACCEPT [0:0]'), where: 'in.txt:4', message: 'missing COMMIT for table filter started at line 4' },
    { name: 'missing COMMIT before the next table', text: lines('* mangle', '-N ISTIO_DIVERT', '* nat', '-N ISTIO_OUTPUT', 'COMMIT'), where: 'in.txt:1', message: 'missing COMMIT for table mangle started at line 1' },
    {
      name: 'missing COMMIT in a log (the next record starts first)',
      text: lines(`2023-07-04T09:21:07.118388Z${T}info${T}Running iptables-restore with the following input:`, '* nat', '-N ISTIO_INBOUND', `2023-07-04T09:21:07.118421Z${T}info${T}Running command: iptables-restore --noflush`),
      where: 'in.txt:2',
      message: 'missing COMMIT for table nat started at line 2',
    },
    { name: 'junk inside a table of a plain file', text: lines('*nat', ':OUTPUT ACCEPT [0:0]', 'OUTPUT -j RETURN', 'COMMIT'), where: 'in.txt:3', message: 'unexpected line in table nat (started at line 1): "OUTPUT -j RETURN"' },
    {
      name: 'an iptables -S listing whose table cannot be told',
      text: lines('-P OUTPUT ACCEPT', '-A OUTPUT -j ISTIO_OUTPUT'),
      where: 'in.txt:1',
      message: 'cannot tell which table this "iptables -S" listing is (it could be raw, mangle, nat, filter): put a "*nat"-style line before it, or paste it with its command line ("iptables -t nat -S")',
    },
    {
      name: 'a rule outside a table',
      text: lines('-A OUTPUT -j ISTIO_OUTPUT'),
      where: 'in.txt:1',
      message: '"-A OUTPUT -j ISTIO_OUTPUT" is outside a table: expected a "*nat"-style table line before it (an "iptables -S" listing starts with its -P lines, or paste it with its command line)',
    },
    { name: 'COMMIT without a table', text: lines('*nat', 'COMMIT', 'COMMIT'), where: 'in.txt:3', message: 'COMMIT without a table: expected a "*table" line before it' },
    {
      name: 'a log with no rules (info records filtered out)',
      text: lines(`2023-04-12T11:38:49.067419Z${T}info${T}Istio iptables environment:`, 'ENVOY_PORT=', `2023-04-12T11:38:49.067500Z${T}info${T}Istio iptables variables:`, 'PROXY_PORT=15001'),
      where: 'in.txt:1',
      message: 'no iptables rules found in the log: expected restore input ("* nat" … "COMMIT"), "iptables …" command lines, or an iptables-save dump ("*nat", ":CHAIN POLICY [p:b]", "-A …", "COMMIT")',
    },
    {
      name: 'text that is neither a dump nor a log',
      text: lines('', 'Chain ISTIO_OUTPUT (1 references)', ' pkts bytes target     prot opt in     out     source               destination'),
      where: 'in.txt:2',
      message: 'no iptables rules found: expected iptables-save output, iptables-restore input, "iptables …" command lines, or an istio-init log',
    },
    { name: 'every command failed', text: lines('+ iptables -t nat -N ISTIO_REDIRECT', 'iptables: Chain already exists.'), where: 'in.txt:1', message: 'no iptables rules found: every iptables command in the log failed' },
    { name: 'an unterminated quote in a command', text: lines("iptables -t nat -A OUTPUT -m comment --comment 'oops -j RETURN"), where: 'in.txt:1', message: `cannot split the command "iptables -t nat -A OUTPUT -m comment --comment 'oops -j RETURN": unterminated single quote` },
    { name: '-t without a table', text: lines('iptables -A OUTPUT -j RETURN -t'), where: 'in.txt:1', message: '"iptables -A OUTPUT -j RETURN -t": -t needs a table name' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let err: unknown;
      try {
        run(c.text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).format()).toBe(`${c.where}: ${c.message}`);
    });
  }

  it('reports errors against the file name it was given, with CRLF and BOM line numbers intact', () => {
    expect(() => run('\uFEFF*nat\r\n:OUTPUT ACCEPT [0:0]\r\n', 'pod.save')).toThrow(
      expect.objectContaining({ file: 'pod.save', line: 1, message: 'missing COMMIT for table nat started at line 1' }),
    );
  });
});
