/**
 * A rule source as a user names it (flags, a check file's `rules:`, a diff side): a dump
 * file, a built-in profile, or Istio configuration. Names only: the caller reads the files.
 */

/** Istio configuration for the generator: version, installer, annotations, files by name. */
export interface IstioConfigNames {
  istioVersion?: string;
  installer?: string;
  annotation?: string[];
  /** A pod manifest file. */
  pod?: string;
  /** A mesh config file. */
  meshConfig?: string;
  dnsServer?: string[];
  interceptionMode?: string;
  proxyUid?: string;
  proxyGid?: string;
}

export interface RuleSourceNames extends IstioConfigNames {
  /** A dump file ("-": stdin). */
  rules?: string;
  profile?: string;
  proxyPort?: string;
  inboundCapturePort?: string;
}

/** Any Istio option given: the rules come from the generator (loaded only then). */
export function wantsGenerator(f: IstioConfigNames): boolean {
  return Boolean(f.istioVersion || f.installer || f.annotation?.length || f.pod || f.meshConfig || f.dnsServer?.length);
}
