/** `npm run sandbox`: both emulators and the page showing them, on the ports sandbox/run.ts describes. */
import { startSandbox } from './run';

async function main(): Promise<void> {
  const sandbox = await startSandbox();
  const { bc, dataverse } = sandbox;
  console.log(
    [
      ...sandbox.summary().map(([label, value]) => `${label.padEnd(26)}${value}`),
      `  BC company ${bc.companyId}; tokens at ${bc.tokenUrl} (scope ${bc.scope})`,
      `  Dataverse tokens at ${dataverse.tokenUrl} (scope ${dataverse.scope})`,
      '  Admin: GET /_admin/state, POST /_admin/reset, POST|DELETE /_admin/faults on either port',
      process.env.SANDBOX_NODE_RED_URL
        ? `  The page reads links from the sync store of ${process.env.SANDBOX_NODE_RED_URL}`
        : '  The page pairs records by their keys; set SANDBOX_NODE_RED_URL to show the links of a running Node-RED',
    ].join('\n'),
  );
  const shutdown = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
