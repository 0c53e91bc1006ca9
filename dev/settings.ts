/**
 * Node-RED settings for `npm start`: the editor on 127.0.0.1 only, the user directory inside the
 * repository (git ignores it), and this package loaded from the working tree.
 */
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

export = {
  uiHost: process.env.CRMERP_HOST ?? '127.0.0.1',
  uiPort: Number(process.env.CRMERP_PORT ?? 1880),
  userDir: process.env.CRMERP_USER_DIR ?? join(root, '.node-red'),
  flowFile: 'flows.json',
  flowFilePretty: true,
  // Credentials typed in the editor are encrypted with this key; set your own outside the sandbox.
  credentialSecret: process.env.CRMERP_CREDENTIAL_SECRET ?? 'crmerp-local-sandbox',
  editorTheme: { projects: { enabled: false }, tours: false },
  logging: { console: { level: process.env.CRMERP_LOG_LEVEL ?? 'info', metrics: false, audit: false } },
  exportGlobalContextKeys: false,
  functionExternalModules: false,
};
