/**
 * The cases of test/data/module-hooks/cases.yaml as small restore files, shared by the
 * load test (test/sources/hook-check.test.ts) and the kernel test (test/kernel/module-hooks.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Entry {
  rule: string;
  accepted: string[];
  refused?: string[];
  via?: string[];
  viaAccepted?: string[];
}

export interface HookCase {
  name: string;
  /** A restore file: one table, the rule, COMMIT. */
  text: string;
  /** The line the load refuses (the rule's), or null when it is accepted. */
  refusedLine: number | null;
  /** What the refusal names: `target TPROXY`, `-m owner` or `-i`. */
  what: string;
}

/** A user chain for the `via` cases; the kernel checks its rules by the hooks that reach it. */
const VIA = 'ST_MOD_VIA';

function whatOf(rule: string): string {
  // An interface of the wrong direction (-i in OUTPUT …): iptables refuses it by chain name.
  const iface = /^(?:! )?(-i|-o|--in-interface|--out-interface) /.exec(rule);
  if (iface) return iface[1]!.startsWith('--in') ? '-i' : iface[1]!.startsWith('--out') ? '-o' : iface[1]!;
  const m = /(?:^| )-m (\S+)/.exec(rule);
  if (m) return `-m ${m[1]}`;
  return `target ${/-j (\S+)/.exec(rule)![1]}`;
}

export function hookCases(): HookCase[] {
  const entries = parse(readFileSync(join(import.meta.dirname, '../data/module-hooks/cases.yaml'), 'utf8')) as Entry[];
  const out: HookCase[] = [];
  for (const e of entries) {
    const what = whatOf(e.rule);
    const at = (where: string) => where.split(' ') as [string, string];
    for (const where of e.accepted) {
      const [table, chain] = at(where);
      out.push({ name: `${e.rule} in ${where}: accepted`, text: `*${table}\n-A ${chain} ${e.rule}\nCOMMIT\n`, refusedLine: null, what });
    }
    for (const where of e.refused ?? []) {
      const [table, chain] = at(where);
      out.push({ name: `${e.rule} in ${where}: refused`, text: `*${table}\n-A ${chain} ${e.rule}\nCOMMIT\n`, refusedLine: 2, what });
    }
    for (const where of e.via ?? []) {
      const [table, chain] = at(where);
      const userChain = `*${table}\n:${VIA} - [0:0]\n-A ${VIA} ${e.rule}\n`;
      out.push({ name: `${e.rule} in a user chain reached from ${where}: refused`, text: `${userChain}-A ${chain} -j ${VIA}\nCOMMIT\n`, refusedLine: 3, what });
      out.push({ name: `${e.rule} in a user chain nothing reaches (${table}): accepted`, text: `${userChain}COMMIT\n`, refusedLine: null, what });
    }
    for (const where of e.viaAccepted ?? []) {
      const [table, chain] = at(where);
      const text = `*${table}\n:${VIA} - [0:0]\n-A ${VIA} ${e.rule}\n-A ${chain} -j ${VIA}\nCOMMIT\n`;
      out.push({ name: `${e.rule} in a user chain reached from ${where}: accepted`, text, refusedLine: null, what });
    }
  }
  return out;
}
