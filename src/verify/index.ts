/**
 * The kernel harness: the only part of sidecar-trace that touches the operating system.
 * It runs a flow in throwaway network namespaces on the real kernel and reports, per new
 * connection, which iptables rules and policies the kernel applied (see harness.ts).
 */
export { checkCapabilities, findExecutable, type Capabilities, type Tools } from './capabilities.js';
export { runKernelFlow } from './harness.js';
export { NS_PREFIX, listNamespaces, removeStaleNamespaces, removeStaleRuns, type StaleCleanup } from './netns.js';
export { MARKER_DIR } from './ownership.js';
export {
  PlanError,
  resolvePlan,
  type ConnectSpec,
  type HopPacket,
  type KernelConnection,
  type KernelHop,
  type KernelPlan,
  type KernelResult,
  type ListenerSpec,
  type NsRole,
  type Opener,
  type PodNetwork,
  type Progress,
  type RunOptions,
  type StartSpec,
} from './plan.js';
