/** The pod layer's rule generator: Istio's sidecar iptables by version, installer and options. */
export {
  ISTIO_VERSIONS,
  KNOWN_RANGE,
  NEWEST_KNOWN,
  NEWEST_LAYOUT,
  parseIstioVersion,
  features,
  formatRelease,
  layoutOfMinor,
  type IstioVersion,
  type Release,
  type Features,
  type CapabilityProbe,
} from './version.js';
export { defaultIstioOptions, cloneOptions, type IstioOptions, type Installer, type InterceptionMode } from './options.js';
export { generateRules, type GeneratedRules } from './generate.js';
export { applyTemplateOverrides, optionsFromAnnotations, parseProxyConfig } from './annotations.js';
export { optionsFromPodManifest, type PodManifestInfo } from './manifest.js';
export { optionsFromMeshConfig } from './mesh-config.js';
export { saveFormOf } from './save-form.js';
export { GENERATED_PROFILES, HANDWRITTEN_PROFILES, renderProfile, type ProfileSpec } from './profile-specs.js';
