import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The repository's flows/ folder, from the compiled dist/dev/ or the sources alike. */
export const FLOWS_DIR = join(__dirname, '..', '..', 'flows');

/** The flow files, in name order; each holds one or more tabs and may repeat shared config nodes. */
export function flowFiles(dir = FLOWS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !name.endsWith('_cred.json'))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Merges flow files into one flow. A node that appears in several files (a shared config node)
 * must be identical in each; two different nodes with one id are an error, not a silent overwrite.
 */
export function mergeFlows(files: string[]): FlowNode[] {
  const byId = new Map<string, { node: FlowNode; file: string; text: string }>();
  for (const file of files) {
    const nodes = JSON.parse(readFileSync(file, 'utf8')) as FlowNode[];
    if (!Array.isArray(nodes)) throw new Error(`${file} is not a Node-RED flow export (expected a JSON array)`);
    for (const node of nodes) {
      const text = JSON.stringify(node);
      const seen = byId.get(node.id);
      if (seen && seen.text !== text) {
        throw new Error(`node ${node.id} (${node.type}) differs between ${seen.file} and ${file}`);
      }
      if (!seen) byId.set(node.id, { node, file, text });
    }
  }
  return [...byId.values()].map((entry) => entry.node);
}

export function flowHash(nodes: FlowNode[]): string {
  return createHash('sha256').update(JSON.stringify(nodes)).digest('hex');
}
