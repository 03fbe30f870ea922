/**
 * A chain's rules while restore input edits them with -I, -D and -R: an implicit
 * treap (a balanced tree ordered by position, each node knowing its subtree's size),
 * so inserting, deleting and replacing at a position take O(log n), not an array
 * splice's O(n). 100,000 `-I OUTPUT 1` lines were quadratic with splice (issue 12, F7).
 *
 * `-D CHAIN rule-spec` deletes the first rule with the same text. Rules of one text
 * sit in a binary heap ordered by position: existing rules never change their order
 * relative to each other (inserts and deletes shift them together), so the heap stays
 * valid while positions change. The text index is built on the first such delete.
 */
import type { Rule } from './model.js';

interface Node {
  rule: Rule;
  left: Node | null;
  right: Node | null;
  parent: Node | null;
  size: number;
  priority: number;
  /** Position in its text's heap, while the text index exists. */
  heapAt: number;
}

const size = (n: Node | null): number => (n === null ? 0 : n.size);

function update(n: Node): void {
  n.size = 1 + size(n.left) + size(n.right);
  if (n.left) n.left.parent = n;
  if (n.right) n.right.parent = n;
}

/** The first `k` nodes, and the rest. */
function split(n: Node | null, k: number): [Node | null, Node | null] {
  if (n === null) return [null, null];
  if (size(n.left) >= k) {
    const [a, b] = split(n.left, k);
    n.left = b;
    update(n);
    if (a) a.parent = null;
    n.parent = null;
    return [a, n];
  }
  const [a, b] = split(n.right, k - size(n.left) - 1);
  n.right = a;
  update(n);
  if (b) b.parent = null;
  n.parent = null;
  return [n, b];
}

function merge(a: Node | null, b: Node | null): Node | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    update(a);
    a.parent = null;
    return a;
  }
  b.left = merge(a, b.left);
  update(b);
  b.parent = null;
  return b;
}

/** 0-based position of a node in the tree. */
function rank(n: Node): number {
  let r = size(n.left);
  for (let c = n, p = n.parent; p !== null; c = p, p = p.parent) if (p.right === c) r += size(p.left) + 1;
  return r;
}

export class RuleList {
  #root: Node | null = null;
  /** Rules of each text, as heaps by position; null until the first delete by text. */
  #byText: Map<string, Node[]> | null = null;
  // Priorities from a fixed sequence (xorshift32): the same input builds the same tree.
  #seed = 0x9e3779b9;

  constructor(rules: readonly Rule[]) {
    this.append(rules);
  }

  get length(): number {
    return size(this.#root);
  }

  append(rules: readonly Rule[]): void {
    this.insert(this.length, rules);
  }

  /** Insert `rules` in order before 0-based position `at` (0 <= at <= length). */
  insert(at: number, rules: readonly Rule[]): void {
    if (rules.length === 0) return;
    let mid: Node | null = null;
    const nodes: Node[] = [];
    for (const rule of rules) {
      const node = this.#node(rule);
      mid = merge(mid, node);
      nodes.push(node);
    }
    const [a, b] = split(this.#root, at);
    this.#root = merge(merge(a, mid), b);
    // Into the heaps once in the tree: the heaps compare positions.
    if (this.#byText) for (const node of nodes) this.#heapPush(node);
  }

  /** Remove the rule at 0-based position `at` (0 <= at < length). */
  removeAt(at: number): void {
    // Out of the heap while still in the tree: the heap compares positions.
    if (this.#byText) this.#heapRemove(this.#nodeAt(at));
    const [a, rest] = split(this.#root, at);
    const [, b] = split(rest, 1);
    this.#root = merge(a, b);
  }

  /** Replace the rule at 0-based position `at`. */
  replaceAt(at: number, rule: Rule): void {
    const node = this.#nodeAt(at);
    if (this.#byText) this.#heapRemove(node);
    node.rule = rule;
    if (this.#byText) this.#heapPush(node);
  }

  /** Remove the first rule whose text is `text`; false when there is none. */
  removeFirstWithText(text: string): boolean {
    if (this.#byText === null) {
      this.#byText = new Map();
      for (const node of this.#nodes()) this.#heapPush(node);
    }
    const heap = this.#byText.get(text);
    if (!heap || heap.length === 0) return false;
    this.removeAt(rank(heap[0]!));
    return true;
  }

  toArray(): Rule[] {
    const out: Rule[] = new Array<Rule>(this.length);
    let i = 0;
    for (const node of this.#nodes()) out[i++] = node.rule;
    return out;
  }

  #node(rule: Rule): Node {
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x >>> 0;
    return { rule, left: null, right: null, parent: null, size: 1, priority: this.#seed, heapAt: -1 };
  }

  #nodeAt(at: number): Node {
    let n = this.#root!;
    for (;;) {
      const l = size(n.left);
      if (at < l) n = n.left!;
      else if (at === l) return n;
      else {
        at -= l + 1;
        n = n.right!;
      }
    }
  }

  /** In order, without recursion. */
  *#nodes(): Generator<Node> {
    const stack: Node[] = [];
    let n = this.#root;
    while (n !== null || stack.length > 0) {
      while (n !== null) {
        stack.push(n);
        n = n.left;
      }
      const top = stack.pop()!;
      yield top;
      n = top.right;
    }
  }

  #heapPush(node: Node): void {
    const text = node.rule.text;
    let heap = this.#byText!.get(text);
    if (!heap) this.#byText!.set(text, (heap = []));
    node.heapAt = heap.length;
    heap.push(node);
    this.#siftUp(heap, node.heapAt);
  }

  #heapRemove(node: Node): void {
    const heap = this.#byText!.get(node.rule.text)!;
    const i = node.heapAt;
    const lastNode = heap.pop()!;
    node.heapAt = -1;
    if (lastNode === node) return;
    heap[i] = lastNode;
    lastNode.heapAt = i;
    this.#siftDown(heap, i);
    this.#siftUp(heap, lastNode.heapAt);
  }

  #siftUp(heap: Node[], i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (rank(heap[p]!) < rank(heap[i]!)) return;
      this.#swap(heap, i, p);
      i = p;
    }
  }

  #siftDown(heap: Node[], i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && rank(heap[l]!) < rank(heap[m]!)) m = l;
      if (r < heap.length && rank(heap[r]!) < rank(heap[m]!)) m = r;
      if (m === i) return;
      this.#swap(heap, i, m);
      i = m;
    }
  }

  #swap(heap: Node[], i: number, j: number): void {
    const a = heap[i]!;
    const b = heap[j]!;
    heap[i] = b;
    heap[j] = a;
    a.heapAt = j;
    b.heapAt = i;
  }
}
