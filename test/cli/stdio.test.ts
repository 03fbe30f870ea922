/** writevAllSync: buffers written in order, empty ones stepped over (a writev of empties returns 0), more than IOV_MAX at once. */
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writevAllSync } from '../../src/cli/stdio.js';

describe('writevAllSync', () => {
  it('writes every buffer in order, empty ones included, past 1,024 buffers', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'st-writev-')), 'out');
    const fd = openSync(file, 'w');
    const parts = [Buffer.alloc(0), ...Array.from({ length: 3000 }, (_, i) => Buffer.from(i % 3 ? `${i},` : '')), Buffer.alloc(0)];
    writevAllSync(fd, parts);
    writevAllSync(fd, [Buffer.alloc(0)]);
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe(Array.from({ length: 3000 }, (_, i) => (i % 3 ? `${i},` : '')).join(''));
  });
});
