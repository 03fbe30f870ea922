/**
 * A rule source named in one word, for `sidecar-trace diff BEFORE AFTER`:
 *
 *   profile:NAME                   a built-in profile (as --profile NAME)
 *   istio:VERSION[+KEY=VALUE…]     the rules Istio VERSION generates (as --istio-version),
 *                                  with pod annotations, e.g.
 *                                  istio:1.25+traffic.sidecar.istio.io/excludeOutboundPorts=3306
 *   -                              a dump on stdin (one side only)
 *   anything else                  a dump file (as --rules FILE)
 */
import { UsageError } from '../core/errors.js';
import type { SourceFlags } from './flags.js';

export interface SourceSpec {
  /** The spec as given, for display. */
  spec: string;
  flags: SourceFlags;
}

export function parseSourceSpec(spec: string, side: string): SourceSpec {
  if (spec.startsWith('profile:')) {
    const name = spec.slice('profile:'.length);
    if (!name) throw new UsageError(`${side}: "${spec}" names no profile: expected profile:NAME, e.g. profile:istio-1.25`);
    return { spec, flags: { profile: name } };
  }
  if (spec.startsWith('istio:')) {
    const [version, ...annotations] = spec.slice('istio:'.length).split('+');
    if (!version) throw new UsageError(`${side}: "${spec}" names no version: expected istio:VERSION[+KEY=VALUE…], e.g. istio:1.25`);
    for (const a of annotations) {
      if (a.indexOf('=') <= 0) throw new UsageError(`${side}: "+${a}" in "${spec}" is not KEY=VALUE (e.g. +traffic.sidecar.istio.io/excludeOutboundPorts=3306)`);
    }
    return { spec, flags: { istioVersion: version, annotation: annotations } };
  }
  if (spec === '') throw new UsageError(`${side}: empty rule source`);
  return { spec, flags: { rules: spec } };
}

/** Add annotations (from --annotation/--before-annotation/--after-annotation) to a generated source. */
export function withAnnotations(s: SourceSpec, annotations: string[], side: string, flag: string): SourceSpec {
  if (!annotations.length) return s;
  if (s.flags.istioVersion === undefined) {
    throw new UsageError(`${flag} applies to rules Istio generates, but ${side} is "${s.spec}": name it as istio:VERSION (e.g. istio:1.25)`);
  }
  const flags = { ...s.flags, annotation: [...(s.flags.annotation ?? []), ...annotations] };
  return { spec: `${s.spec}${annotations.map((a) => `+${a}`).join('')}`, flags };
}
