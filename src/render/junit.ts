/**
 * `check --junit FILE`: JUnit XML, which CI systems (GitHub Actions reporters,
 * GitLab, Jenkins, Azure) render as test results. One testsuite per check file,
 * one testcase per flow; a failing flow has <failure message="…"> with a one-line
 * summary and the expected/actual diff as its text. No timings, so the same run
 * writes the same bytes.
 */
import type { CheckReport } from '../analysis/expectations.js';
import { palette } from './palette.js';
import { failureDiff } from './check.js';

/** Escape for XML text and attribute values; drops characters XML 1.0 cannot carry. */
export function xmlEscape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values keep their line breaks as character references. */
const attr = (text: string) => xmlEscape(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

export function renderJunit(report: CheckReport, suiteName: string): string {
  const plain = palette(false);
  const s = report.summary;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sidecar-trace check" tests="${s.flows}" failures="${s.failed}" errors="0">`,
    `  <testsuite name="${attr(suiteName)}" tests="${s.flows}" failures="${s.failed}" errors="0" skipped="0">`,
    `    <properties>`,
    `      <property name="rules" value="${attr(report.ruleset.source)}"/>`,
    `      <property name="schemaVersion" value="${report.schemaVersion}"/>`,
    `    </properties>`,
  ];
  for (const f of report.flows) {
    const head = `    <testcase name="${attr(f.name)}" classname="${attr(suiteName)}" file="${attr(report.file)}" line="${f.line}"`;
    if (f.pass) {
      out.push(`${head}/>`);
      continue;
    }
    const failed = f.expectations.filter((r) => !r.pass).map((r) => r.name);
    const message = `${failed.length} of ${f.expectations.length} expectations failed: ${failed.join(', ')}`;
    out.push(`${head}>`);
    out.push(`      <failure message="${attr(message)}" type="expectation">${xmlEscape(failureDiff(f, plain, false).join('\n'))}</failure>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}
