/** The colour policy in one place: colour only on a terminal, never with NO_COLOR or --no-color. */
import { palette, type Palette } from '../render/palette.js';
import type { CliIo } from './io.js';

export function colorsFor(io: CliIo, flags: { color: boolean }): Palette {
  return palette(flags.color && io.stdoutIsTTY && !io.env.NO_COLOR);
}
