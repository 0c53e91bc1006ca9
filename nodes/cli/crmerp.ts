#!/usr/bin/env node
/** The `crmerp` command: `crmerp check <files or directories>` checks Node-RED flow files before deployment. */
import { join } from 'node:path';
import { defaultPackagePaths, EXIT_USAGE, runCheck, UsageError, type CheckOptions } from '../lib/flow-check/run';
import { ownPackage } from '../lib/flow-check/load';

const USAGE = `Usage: crmerp check [options] <file or directory>...

Checks Node-RED flow files (a flow export, or a flows file { "flows": [...] }) before they are
deployed. A directory stands for the *.json files in it (package.json and *_cred.json skipped).
All files of one run are checked as one deployment: a node may refer to nodes in another file.

Reports unknown node types, wires and links to missing nodes, nodes on missing tabs or groups,
duplicate ids, config nodes that are missing or of the wrong type, required settings left empty,
secrets written into the flow, and schemas of validate nodes that do not resolve.

Options:
  --modules <dir>       Also accept the node types of the Node-RED modules installed in <dir>
                        (a node_modules folder or a Node-RED user directory). Repeatable.
  --allow-type <types>  Also accept these node types (comma-separated). Repeatable.
  --user-dir <dir>      Resolve relative schema file paths of validate nodes against <dir>
                        (default: the directory of the flow file).
  --each                Check every file on its own, as importable examples are.
  --json                Print a JSON report instead of text.
  -h, --help            Show this help.
  --version             Print the version.

Exit codes: 0 no problems, 1 problems found, 2 usage error or a file that is unreadable
or not valid JSON.
`;

export function parseArguments(args: readonly string[]): CheckOptions | 'help' | 'version' {
  const [command, ...rest] = args;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') return 'help';
  if (command === '--version' || command === '-v') return 'version';
  if (command !== 'check') throw new UsageError(`unknown command "${command}"`);
  const options: CheckOptions = {
    paths: [],
    json: false,
    modules: [],
    allowTypes: [],
    each: false,
    ...defaultPackagePaths(join(__dirname, '..', 'lib', 'flow-check')),
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const next = inline ?? rest[++i];
      if (next === undefined || next === '') throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--json':
        options.json = true;
        break;
      case '--each':
        options.each = true;
        break;
      case '--modules':
        options.modules.push(value());
        break;
      case '--allow-type':
        options.allowTypes.push(
          ...value()
            .split(',')
            .map((type) => type.trim())
            .filter(Boolean),
        );
        break;
      case '--user-dir':
        options.userDir = value();
        break;
      default:
        if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown option ${flag}`);
        options.paths.push(arg);
    }
  }
  if (options.paths.length === 0) throw new UsageError('name at least one flow file or directory');
  return options;
}

function main(): number {
  try {
    const parsed = parseArguments(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (parsed === 'version') {
      process.stdout.write(
        `${ownPackage(defaultPackagePaths(join(__dirname, '..', 'lib', 'flow-check')).packageRoot).version}\n`,
      );
      return 0;
    }
    const { exitCode, output } = runCheck(parsed);
    process.stdout.write(output);
    return exitCode;
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`crmerp: ${error.message}\n\n${USAGE}`);
    // Anything else is a fault of the checker, never a finding: exit 2, not 1.
    else process.stderr.write(`crmerp: the check failed: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) process.exitCode = main();
