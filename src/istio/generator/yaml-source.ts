/**
 * YAML input with positions: every error is an InputError(file, line, column)
 * pointing at the offending node (yaml's node ranges + LineCounter).
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { InputError } from '../../core/errors.js';

export class YamlSource {
  readonly lines = new LineCounter();
  readonly docs: Document.Parsed[];

  constructor(
    readonly text: string,
    readonly file: string,
    /** Added to reported lines (for YAML embedded in another document). */
    readonly lineOffset = 0,
  ) {
    const parsed = parseAllDocuments(text, { lineCounter: this.lines, prettyErrors: true });
    if (!Array.isArray(parsed)) {
      this.docs = [];
      return;
    }
    this.docs = parsed;
    for (const d of parsed) {
      const err = d.errors[0];
      if (err) {
        const lp = err.linePos?.[0];
        throw new InputError(`not valid YAML: ${err.message.split('\n')[0]}`, file, lp ? lp.line + lineOffset : null, lp ? lp.col : null);
      }
    }
  }

  pos(node: Node | null | undefined): { line: number | null; col: number | null } {
    const off = node?.range?.[0];
    if (off === undefined) return { line: null, col: null };
    const lp = this.lines.linePos(off);
    return { line: lp.line + this.lineOffset, col: lp.col };
  }

  fail(message: string, node?: Node | null): never {
    const { line, col } = this.pos(node);
    throw new InputError(message, this.file, line ?? 1, col);
  }
}

export function get(map: Node | null | undefined, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const pair = (map as YAMLMap<unknown, unknown>).items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return (pair?.value ?? undefined) as Node | undefined;
}

export function getPath(node: Node | null | undefined, path: string[]): Node | undefined {
  let cur: Node | undefined = node ?? undefined;
  for (const k of path) {
    cur = get(cur, k);
    if (cur === undefined) return undefined;
  }
  return cur;
}

export function scalarString(node: Node | undefined): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

export function asMapEntries(node: Node | undefined): Array<{ key: string; keyNode: Node; value: Node | null }> {
  if (!isMap(node)) return [];
  return (node as YAMLMap<Node, Node>).items.map((p) => ({
    key: isScalar(p.key) ? String(p.key.value) : String(p.key),
    keyNode: p.key as Node,
    value: (p.value ?? null) as Node | null,
  }));
}

export function asSeq(node: Node | undefined): Node[] {
  return isSeq(node) ? ((node as YAMLSeq<Node>).items as Node[]) : [];
}

export { isMap, isScalar, isSeq };
