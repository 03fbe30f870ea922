/**
 * Account names for `-m owner --uid-owner NAME / --gid-owner NAME`: iptables resolved
 * them with getpwnam/getgrnam on the machine that installed the rules, which we do not
 * have. The user supplies them: --user NAME=UID, --group NAME=GID, or a copy of the
 * pod's /etc/passwd and /etc/group.
 */
import { InputError, UsageError } from '../core/errors.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;
const MAX_ID = 4294967294;

function idOf(text: string): number | null {
  return /^\d{1,10}$/.test(text) && Number(text) <= MAX_ID ? Number(text) : null;
}

/** `NAME=ID` from --user / --group. */
export function parseNameId(flag: '--user' | '--group', text: string): [string, number] {
  const eq = text.indexOf('=');
  const name = eq < 0 ? '' : text.slice(0, eq);
  const id = eq < 0 ? null : idOf(text.slice(eq + 1));
  if (!NAME.test(name) || id === null) {
    throw new UsageError(`${flag}: "${text}" is not NAME=${flag === '--user' ? 'UID' : 'GID'} (a name, then a number 0-${MAX_ID})`);
  }
  return [name, id];
}

/**
 * An /etc/passwd (kind 'passwd': name:password:uid:gid:gecos:home:shell) or /etc/group
 * (kind 'group': name:password:gid:members) copy, as name -> id. Blank and # lines are skipped.
 */
export function parseAccountFile(text: string, file: string, kind: 'passwd' | 'group'): Map<string, number> {
  const out = new Map<string, number>();
  const fields = kind === 'passwd' ? 7 : 4;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length !== fields) {
      throw new InputError(`expected ${fields} colon-separated fields (${kind === 'passwd' ? 'name:password:uid:gid:gecos:home:shell' : 'name:password:gid:members'}), found ${parts.length}`, file, i + 1);
    }
    const name = parts[0]!;
    const id = idOf(parts[2]!);
    if (!NAME.test(name)) throw new InputError(`"${printable(name)}" is not a ${kind === 'passwd' ? 'user' : 'group'} name`, file, i + 1);
    if (id === null) throw new InputError(`"${printable(parts[2]!)}" is not a ${kind === 'passwd' ? 'uid' : 'gid'} (0-${MAX_ID})`, file, i + 1);
    // getpwnam returns the first entry of a name, so the first wins here too.
    if (!out.has(name)) out.set(name, id);
  }
  return out;
}

/** Never echo control characters to the terminal. */
function printable(s: string): string {
  const clipped = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return clipped.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
