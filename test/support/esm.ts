import { pathToFileURL } from 'node:url';

/** TypeScript turns `import()` into `require()` for CommonJS; this keeps a real dynamic import for .mjs files. */
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export function importModule<T>(file: string): Promise<T> {
  return dynamicImport(pathToFileURL(file).href) as Promise<T>;
}
