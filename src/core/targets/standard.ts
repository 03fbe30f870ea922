/** The standard verdicts: ACCEPT, DROP, RETURN (and QUEUE, which we cannot follow). */
import { defineTarget } from './define.js';

export const acceptTarget = defineTarget<Record<string, never>>({
  name: 'ACCEPT',
  options: [],
  build: () => ({}),
  save: () => '',
  apply: () => ({ verdict: 'accept' }),
});

export const dropTarget = defineTarget<Record<string, never>>({
  name: 'DROP',
  options: [],
  build: () => ({}),
  save: () => '',
  apply: () => ({ verdict: 'drop' }),
});

export const returnTarget = defineTarget<Record<string, never>>({
  name: 'RETURN',
  options: [],
  build: () => ({}),
  save: () => '',
  apply: () => ({ verdict: 'return' }),
});
