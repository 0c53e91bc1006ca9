/** The flow checker's file side: flow files, directories, installed modules, our own package. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { FlowFile } from './check';
import { registeredTypes } from './editor-defaults';
import { parseJson } from './schema-check';

/** JSON files in a folder that are never flows. */
const NOT_FLOWS = new Set(['package.json', 'package-lock.json', 'tsconfig.json']);

function isFlowFileName(name: string): boolean {
  return name.endsWith('.json') && !name.startsWith('.') && !name.endsWith('_cred.json') && !NOT_FLOWS.has(name);
}

/** The files named by the arguments: files as given, directories as their *.json files (not recursive). */
export function expandPaths(paths: readonly string[]): {
  files: string[];
  errors: Array<{ file: string; message: string }>;
} {
  const files: string[] = [];
  const errors: Array<{ file: string; message: string }> = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      errors.push({ file: path, message: 'no such file or directory' });
      continue;
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const names = readdirSync(path).filter(isFlowFileName).sort();
    if (names.length === 0) errors.push({ file: path, message: 'the directory holds no flow files (*.json)' });
    for (const name of names) files.push(join(path, name));
  }
  return { files: [...new Set(files)], errors };
}

/** Reads one flow file: a flow export (an array of nodes) or Node-RED's flows file `{ "flows": [...] }`. */
export function readFlowFile(path: string): FlowFile | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { error: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const parsed = parseJson(text.replace(/^\uFEFF/, ''));
  if ('error' in parsed) return { error: `is not valid JSON: ${parsed.error}` };
  const value = parsed.value;
  const file = { path, dir: dirname(resolve(path)) };
  if (Array.isArray(value)) return { ...file, items: value };
  if (value !== null && typeof value === 'object' && Array.isArray((value as { flows?: unknown }).flows)) {
    const { flows, credentials } = value as { flows: unknown[]; credentials?: unknown };
    return { ...file, items: flows, ...(credentials !== undefined ? { credentials } : {}) };
  }
  return { error: 'is not a Node-RED flow: expected an array of nodes or { "flows": [...] }' };
}

interface PackageJson {
  name?: string;
  version?: string;
  'node-red'?: { nodes?: Record<string, string> };
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** Our own package: name, version and node types (the keys of `node-red.nodes`). */
export function ownPackage(root: string): { name: string; version: string; types: string[] } {
  const pkg = readPackageJson(root);
  if (!pkg) throw new Error(`cannot read ${join(root, 'package.json')}`);
  return { name: pkg.name ?? '', version: pkg.version ?? '', types: Object.keys(pkg['node-red']?.nodes ?? {}) };
}

/**
 * The node types of the Node-RED modules installed in a node_modules folder (or a Node-RED user
 * directory holding one): for each package with `node-red.nodes`, the types its node files register.
 */
export function installedTypes(dir: string): { types: string[]; modules: string[] } {
  const root = existsSync(join(dir, 'node_modules')) ? join(dir, 'node_modules') : dir;
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${dir} is not a directory`);
  const packageDirs: string[] = [];
  for (const name of readdirSync(root)) {
    if (name.startsWith('.')) continue;
    const path = join(root, name);
    if (name.startsWith('@')) {
      try {
        for (const inner of readdirSync(path)) packageDirs.push(join(path, inner));
      } catch {
        // not a scope folder
      }
    } else {
      packageDirs.push(path);
    }
  }
  const types = new Set<string>();
  const modules: string[] = [];
  for (const packageDir of packageDirs) {
    const pkg = readPackageJson(packageDir);
    const nodes = pkg?.['node-red']?.nodes;
    if (!nodes) continue;
    modules.push(pkg?.name ?? basename(packageDir));
    for (const file of Object.values(nodes)) {
      const js = join(packageDir, file);
      for (const source of [js, js.replace(/\.js$/, '.html')]) {
        try {
          for (const type of registeredTypes(readFileSync(source, 'utf8'))) types.add(type);
        } catch {
          // a node set without an editor file, or a file that is missing: nothing to read
        }
      }
    }
  }
  return { types: [...types].sort(), modules };
}

/** The English labels of our nodes' settings (`label.<setting>` of each locale file), for messages. */
export function settingLabels(nodesDir: string, types: readonly string[]): Record<string, Record<string, string>> {
  const labels: Record<string, Record<string, string>> = {};
  for (const type of types) {
    try {
      const messages = JSON.parse(readFileSync(join(nodesDir, 'locales', 'en-US', `${type}.json`), 'utf8')) as Record<
        string,
        { label?: Record<string, string> }
      >;
      labels[type] = messages[type]?.label ?? {};
    } catch {
      labels[type] = {};
    }
  }
  return labels;
}

export function readIfFile(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}
