/**
 * Transpile every .ts file under src/ into a scratch directory, so the kernel tests run the stand-in
 * (a separate Node process) and the SIGTERM child from fresh JavaScript without depending on
 * `npm run build` or on the type check passing. All of src/ is transpiled because src/verify
 * reads iptables-save output with core's parser (transpiling is per file and fast). The scratch directory is inside the project (`.vitest-kernel-*`,
 * git-ignored) so that `ipaddr.js` resolves from node_modules.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CompiledVerify {
  dir: string;
  /** dir/verify/standin.js */
  standin: string;
  /** dir/verify/index.js */
  index: string;
  remove(): void;
}

function transpile(src: string, out: string): void {
  const result = ts.transpileModule(readFileSync(src, 'utf8'), {
    fileName: src,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  writeFileSync(out, result.outputText);
}

export function compileVerify(extra: Record<string, string> = {}): CompiledVerify {
  const dir = path.join(ROOT, `.vitest-kernel-${process.pid}-${Date.now().toString(36)}`);
  const out = path.join(dir, 'verify');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  const srcDir = path.join(ROOT, 'src');
  for (const entry of readdirSync(srcDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const from = path.join(entry.parentPath, entry.name);
    const to = path.join(dir, path.relative(srcDir, from)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(to), { recursive: true });
    transpile(from, to);
  }
  for (const [name, src] of Object.entries(extra)) transpile(src, path.join(dir, name));
  return {
    dir,
    standin: path.join(out, 'standin.js'),
    index: path.join(out, 'index.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
