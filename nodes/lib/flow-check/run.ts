/** `crmerp check`: options in, report and exit code out. */
import { join } from 'node:path';
import { checkFlowSet, type FlowFile } from './check';
import { CORE_NODE_TYPES } from './core-types';
import { formatJson, formatText, type CheckReport } from './format';
import { expandPaths, installedTypes, ownPackage, readFlowFile, readIfFile, settingLabels } from './load';
import { NODE_SETTINGS } from './node-settings';

export interface CheckOptions {
  paths: string[];
  json: boolean;
  /** node_modules folders (or Node-RED user directories) whose installed node types are known. */
  modules: string[];
  /** Further types to accept. */
  allowTypes: string[];
  /** Where relative schema file paths are resolved; default: each flow file's directory. */
  userDir?: string;
  /** Check every file on its own (importable examples) instead of all files as one deployment. */
  each: boolean;
  /** Our package's root (holds package.json) and the folder of its compiled nodes. */
  packageRoot: string;
  nodesDir: string;
}

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export function runCheck(options: CheckOptions): { exitCode: number; output: string; report: CheckReport } {
  const own = ownPackage(options.packageRoot);
  const knownTypes = new Set<string>([...CORE_NODE_TYPES, ...own.types, ...options.allowTypes]);
  for (const dir of options.modules) {
    let installed: ReturnType<typeof installedTypes>;
    try {
      installed = installedTypes(dir);
    } catch (error) {
      throw new UsageError(`--modules ${dir}: ${(error as Error).message}`);
    }
    for (const type of installed.types) knownTypes.add(type);
  }
  const settings = Object.fromEntries(Object.entries(NODE_SETTINGS).filter(([type]) => own.types.includes(type)));

  const expanded = expandPaths(options.paths);
  const errors = [...expanded.errors];
  const flowFiles: FlowFile[] = [];
  for (const path of expanded.files) {
    const read = readFlowFile(path);
    if ('error' in read) errors.push({ file: path, message: read.error });
    else flowFiles.push(read);
  }
  const context = {
    knownTypes,
    settings,
    labels: settingLabels(options.nodesDir, own.types),
    readFile: readIfFile,
    ownPackage: { name: own.name, version: own.version, typePrefix: 'crmerp-' },
    ...(options.userDir !== undefined ? { userDir: options.userDir } : {}),
  };
  const sets = options.each ? flowFiles.map((file) => [file]) : [flowFiles];
  const findings = sets.flatMap((set) => checkFlowSet(set, context));
  const report: CheckReport = {
    files: [...expanded.files, ...expanded.errors.map((e) => e.file)],
    errors,
    findings,
    nodes: flowFiles.reduce((sum, file) => sum + file.items.length, 0),
  };
  const exitCode = errors.length > 0 ? EXIT_USAGE : findings.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
  return { exitCode, output: options.json ? formatJson(report) : formatText(report), report };
}

/** Where the compiled checker finds its package: dist/nodes/lib/flow-check → the package root. */
export function defaultPackagePaths(compiledDir: string): { packageRoot: string; nodesDir: string } {
  return { packageRoot: join(compiledDir, '..', '..', '..', '..'), nodesDir: join(compiledDir, '..', '..') };
}
