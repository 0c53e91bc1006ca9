/** Turns findings into the checker's text lines, summary and JSON report. */
import type { Finding, FindingKind } from './check';

/** `tab "Customers" › crmerp-upsert-customer "Upsert into ERP" (f20a…)` */
export function location(finding: Finding): string {
  const node = finding.node;
  if (!node) return '';
  const own = `${node.type} "${node.name || node.id}" (${node.id})`;
  if (node.type === 'tab' || node.type === 'subflow') return own;
  if (finding.flow) return `${finding.flow.type} "${finding.flow.label}" › ${own}`;
  if (finding.global) return `global › ${own}`;
  return own;
}

export function formatFinding(finding: Finding): string {
  const where = location(finding);
  return `${finding.file}: ${where ? `${where}: ` : ''}${finding.message}`;
}

export interface CheckReport {
  /** Every file read, in order. */
  files: string[];
  /** Files that could not be read or are not flows, with why. */
  errors: Array<{ file: string; message: string }>;
  findings: Finding[];
  nodes: number;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function summary(report: CheckReport): string {
  const checked = `${plural(report.files.length - report.errors.length, 'file')} (${plural(report.nodes, 'node')})`;
  const unreadable = report.errors.length > 0 ? `; ${plural(report.errors.length, 'file')} could not be checked` : '';
  if (report.findings.length === 0) return `No problems found in ${checked}${unreadable}.`;
  const files = new Set(report.findings.map((f) => f.file)).size;
  return `${plural(report.findings.length, 'problem')} in ${plural(files, 'file')}; checked ${checked}${unreadable}.`;
}

export function formatText(report: CheckReport): string {
  const lines = [
    ...report.errors.map((error) => `${error.file}: ${error.message}`),
    ...report.findings.map(formatFinding),
    summary(report),
  ];
  return lines.join('\n') + '\n';
}

export function formatJson(report: CheckReport): string {
  const counts: Partial<Record<FindingKind, number>> = {};
  for (const finding of report.findings) counts[finding.kind] = (counts[finding.kind] ?? 0) + 1;
  return (
    JSON.stringify(
      {
        ok: report.findings.length === 0 && report.errors.length === 0,
        summary: summary(report),
        files: report.files,
        nodes: report.nodes,
        errors: report.errors,
        counts,
        findings: report.findings.map((finding) => ({ ...finding, text: formatFinding(finding) })),
      },
      null,
      2,
    ) + '\n'
  );
}
