/** Colour functions passed into renderers, so renderers stay pure and testable. */
import { Chalk, type ChalkInstance } from 'chalk';

export type Palette = ChalkInstance;

/** level 0 = no colour (NO_COLOR, --no-color, not a terminal). */
export function palette(enabled: boolean): Palette {
  return new Chalk({ level: enabled ? 1 : 0 });
}
