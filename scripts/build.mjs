// Compiles the TypeScript sources into dist/ and copies the editor, help, locale,
// schema and icon files next to the compiled node files, where Node-RED looks for them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const clean = process.argv.includes('--clean');
const assetsOnly = process.argv.includes('--assets-only');

if (clean) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

if (!assetsOnly) {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')],
    {
      stdio: 'inherit',
    },
  );
}

const copied = /\.(html|json|svg|css|sql)$/;
function copyAssets(fromDir, toDir) {
  for (const entry of readdirSync(fromDir)) {
    const from = join(fromDir, entry);
    const to = join(toDir, entry);
    if (statSync(from).isDirectory()) copyAssets(from, to);
    else if (copied.test(entry)) {
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to);
    }
  }
}
for (const dir of ['nodes', 'sandbox', 'dev']) {
  if (existsSync(join(root, dir))) copyAssets(join(root, dir), join(dist, dir));
}
cpSync(join(root, 'icons'), join(dist, 'nodes', 'icons'), { recursive: true });
console.log(`built ${relative(root, dist)}/`);
