/**
 * istio-init (istio-iptables) restore input, compared with Istio's own golden files. The
 * cases and their expected rule text are data: test/data/generator-expected/init.yaml.
 */
import { runCases } from './expected-cases.js';

runCases('init.yaml');
