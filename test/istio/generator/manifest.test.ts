/** Pod manifests and mesh configuration as inputs, with file:line:column errors. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { defaultIstioOptions, optionsFromAnnotations, optionsFromMeshConfig, optionsFromPodManifest } from '../../../src/istio/generator/index.js';

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('optionsFromPodManifest', () => {
  it('a Pod dump: annotations, pod IPs, container ports', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: reviews-v1',
      '  annotations:',
      '    traffic.sidecar.istio.io/excludeOutboundPorts: "5432"',
      '    sidecar.istio.io/status: \'{"initContainers":["istio-init"]}\'',
      'spec:',
      '  containers:',
      '  - name: app',
      '    ports:',
      '    - containerPort: 9080',
      '    - containerPort: 9443',
      '  - name: istio-proxy',
      '    ports:',
      '    - containerPort: 15090',
      'status:',
      '  podIP: 10.244.1.5',
      '  podIPs:',
      '  - ip: 10.244.1.5',
      '  - ip: fd00:10:244:1::5',
    ].join('\n');
    const m = optionsFromPodManifest(yaml, 'pod.yaml');
    expect(m).toEqual({
      annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '5432', 'sidecar.istio.io/status': '{"initContainers":["istio-init"]}' },
      podIPs: ['10.244.1.5', 'fd00:10:244:1::5'],
      containerPorts: [9080, 9443, 15090],
      kind: 'Pod',
      name: 'reviews-v1',
    });
    expect(optionsFromAnnotations(defaultIstioOptions('1.25'), m.annotations).excludeOutboundPorts).toEqual([5432]);
  });

  it('a Deployment in a multi-document file with a Service: the pod template', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web}',
      'spec: {ports: [{port: 80}]}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  annotations: {not: "these"}',
      'spec:',
      '  template:',
      '    metadata:',
      '      annotations:',
      '        sidecar.istio.io/interceptionMode: TPROXY',
      '    spec:',
      '      containers: [{name: web, ports: [{containerPort: 8080}]}]',
    ].join('\n');
    expect(optionsFromPodManifest(yaml, 'd.yaml')).toMatchObject({
      kind: 'Deployment',
      annotations: { 'sidecar.istio.io/interceptionMode': 'TPROXY' },
      containerPorts: [8080],
      podIPs: [],
    });
  });

  it('a CronJob inside a List', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: batch/v1',
      '  kind: CronJob',
      '  metadata: {name: nightly}',
      '  spec:',
      '    schedule: "0 0 * * *"',
      '    jobTemplate:',
      '      spec:',
      '        template:',
      '          metadata: {annotations: {traffic.sidecar.istio.io/includeOutboundIPRanges: "10.0.0.0/8"}}',
      '          spec: {containers: [{name: job}]}',
    ].join('\n');
    expect(optionsFromPodManifest(yaml, 'l.yaml')).toMatchObject({ kind: 'CronJob', name: 'nightly', annotations: { 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.0.0.0/8' } });
  });

  it('an unquoted number as annotation value is an error at its line and column', () => {
    const yaml = ['kind: Pod', 'metadata:', '  annotations:', '    traffic.sidecar.istio.io/excludeOutboundPorts: 5432', 'spec: {containers: []}'].join('\n');
    const e = inputError(() => optionsFromPodManifest(yaml, 'p.yaml'));
    expect(e.format()).toBe('p.yaml:4:52: annotation traffic.sidecar.istio.io/excludeOutboundPorts must be a string (Kubernetes annotation values are strings: quote it, e.g. "5432")');
  });

  it('two workloads, none, bad YAML, bad pod IP, bad containerPort', () => {
    const two = ['kind: Pod', 'metadata: {name: a}', 'spec: {}', '---', 'kind: Deployment', 'metadata: {name: b}', 'spec: {template: {spec: {}}}'].join('\n');
    const e2 = inputError(() => optionsFromPodManifest(two, 'two.yaml'));
    expect(e2.message).toMatch(/more than one pod-bearing object: Pod\/a \(line 1\), Deployment\/b \(line 5\)/);
    expect(e2.line).toBe(5);
    expect(inputError(() => optionsFromPodManifest('kind: Service\nmetadata: {name: s}\n', 's.yaml')).message).toMatch(/no Pod or workload with a pod template found/);
    const bad = inputError(() => optionsFromPodManifest('kind: Pod\nmetadata:\n  annotations: {a: "b"\n', 'bad.yaml'));
    expect(bad.message).toMatch(/^not valid YAML/);
    expect(bad.line).not.toBeNull();
    const ip = inputError(() => optionsFromPodManifest('kind: Pod\nspec: {}\nstatus:\n  podIP: 10.244.1\n', 'ip.yaml'));
    expect(ip.format()).toBe('ip.yaml:4:10: pod IP must be an IPv4 or IPv6 address');
    const port = inputError(() => optionsFromPodManifest('kind: Pod\nspec:\n  containers:\n  - ports:\n    - containerPort: http\n', 'port.yaml'));
    expect(port.format()).toBe('port.yaml:5:22: containerPort must be an integer 1-65535');
    expect(inputError(() => optionsFromPodManifest('kind: Deployment\nmetadata: {name: x}\nspec: {}\n', 'x.yaml')).message).toMatch(/has no pod template/);
  });
});

describe('optionsFromMeshConfig', () => {
  it('a bare MeshConfig', () => {
    const yaml = ['defaultConfig:', '  interceptionMode: TPROXY', '  proxyMetadata:', '    ISTIO_META_DNS_CAPTURE: "true"', 'proxyListenPort: 15011', 'proxyInboundListenPort: 15016'].join('\n');
    expect(optionsFromMeshConfig(yaml, 'mesh.yaml')).toMatchObject({ mode: 'TPROXY', dnsCapture: true, outboundPort: 15011, inboundPort: 15016 });
  });

  it('the istio ConfigMap with data.mesh', () => {
    const yaml = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: istio, namespace: istio-system}',
      'data:',
      '  mesh: |-',
      '    defaultConfig:',
      '      proxyMetadata:',
      '        ISTIO_META_DNS_CAPTURE: "true"',
      '        ISTIO_META_DNS_AUTO_ALLOCATE: "true"',
    ].join('\n');
    expect(optionsFromMeshConfig(yaml, 'cm.yaml', defaultIstioOptions('1.13')).dnsCapture).toBe(true);
    const bad = yaml.replace('"true"\n        ISTIO_META_DNS_AUTO', 'sure\n        ISTIO_META_DNS_AUTO');
    const e = inputError(() => optionsFromMeshConfig(bad, 'cm.yaml'));
    expect(e.message).toMatch(/meshConfig\.defaultConfig proxyMetadata\.ISTIO_META_DNS_CAPTURE: "sure" is not valid/);
  });

  it('an IstioOperator with values.global.proxy and the CNI component', () => {
    const yaml = [
      'apiVersion: install.istio.io/v1alpha1',
      'kind: IstioOperator',
      'spec:',
      '  components:',
      '    cni: {enabled: true}',
      '  meshConfig:',
      '    defaultConfig: {proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}}',
      '  values:',
      '    global:',
      '      proxy:',
      '        includeIPRanges: "10.0.0.0/8,172.16.0.0/12"',
      '        excludeIPRanges: ""',
      '        excludeInboundPorts: "8081"',
      '        excludeOutboundPorts: "5432"',
    ].join('\n');
    expect(optionsFromMeshConfig(yaml, 'iop.yaml')).toMatchObject({
      installer: 'cni',
      dnsCapture: true,
      includeOutboundIPRanges: ['10.0.0.0/8', '172.16.0.0/12'],
      excludeOutboundIPRanges: [],
      excludeInboundPorts: [8081, 15020, 15021, 15090],
      excludeOutboundPorts: [5432],
    });
  });

  it('Helm values for istio-init: the template still adds 15090,15021 and the status port', () => {
    const yaml = ['global:', '  proxy:', '    excludeInboundPorts: "8081"', '    statusPort: 15099', '    includeInboundPorts: "*"'].join('\n');
    expect(optionsFromMeshConfig(yaml, 'values.yaml', defaultIstioOptions('1.18'))).toMatchObject({ excludeInboundPorts: [15090, 15021, 8081, 15099], statusPort: 15099, installer: 'init' });
  });

  it('errors point at the value', () => {
    const e = inputError(() => optionsFromMeshConfig('global:\n  proxy:\n    includeIPRanges: "10.0.0.0"\n', 'v.yaml'));
    expect(e.format()).toBe('v.yaml:3:22: global.proxy.includeIPRanges: "10.0.0.0" is not valid: expected a comma-separated list of CIDRs such as 10.0.0.0/8,2001:db8::/32');
    expect(inputError(() => optionsFromMeshConfig('proxyListenPort: http\n', 'm.yaml')).format()).toBe('m.yaml:1:18: proxyListenPort must be a port number 1-65535');
    expect(inputError(() => optionsFromMeshConfig('kind: Deployment\n', 'd.yaml')).message).toMatch(/kind Deployment holds no mesh configuration/);
    expect(inputError(() => optionsFromMeshConfig('', 'e.yaml')).message).toMatch(/empty mesh configuration/);
  });
});
