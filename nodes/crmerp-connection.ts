import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { toSyncError } from './lib/errors';
import type { ConnectionCheck, SystemDriver } from './lib/ports';
import { createDriver } from './drivers';
import { isNavSqlDriver } from './drivers/nav-sql';
import { DEFAULT_STAGING_SCHEMA } from './drivers/nav-sql/settings';
import { StagingSchema } from './drivers/nav-sql/staging';
import { checkIdentifier } from './drivers/sql/identifiers';
import {
  connectionConfigFrom,
  effectiveCredentials,
  secretsOf,
  type ConnectionCredentials,
  type ConnectionNode,
  type ConnectionNodeDef,
} from './runtime/connection-config';

/** What the editor sends for an unchanged password field. */
const UNCHANGED_SECRET = '__PWRD__';

function scrub(text: string, secrets: string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

export = function register(RED: NodeAPI): void {
  function CrmErpConnectionNode(this: ConnectionNode, def: ConnectionNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    let driver: SystemDriver | undefined;
    (node as { system: string }).system = def.system;

    node.getDriver = () => {
      driver ??= createDriver(connectionConfigFrom(def, effectiveCredentials(node.credentials ?? {}, def.envPrefix)), {
        log: (level, message) => {
          if (level === 'warn' || level === 'error') node.warn(message);
          else if (level === 'info') node.log(message);
          else node.debug(message);
        },
      });
      return driver;
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      const open = driver;
      driver = undefined;
      if (!open) return done();
      open
        .close()
        .catch(() => undefined)
        .finally(done);
    });
  }

  RED.nodes.registerType<ConnectionNode, ConnectionNodeDef, unknown, ConnectionCredentials>(
    'crmerp-connection',
    CrmErpConnectionNode,
    {
      credentials: {
        clientId: { type: 'text' },
        clientSecret: { type: 'password' },
        token: { type: 'password' },
        user: { type: 'text' },
        password: { type: 'password' },
      },
    },
  );

  /** The settings and credentials of the edit dialog; secrets left unchanged come from the stored credentials. */
  function dialogSettings(req: Request): {
    def: ConnectionNodeDef;
    credentials: ConnectionCredentials;
    secrets: string[];
  } {
    const body = (req.body ?? {}) as Partial<ConnectionNodeDef> & { credentials?: ConnectionCredentials };
    const stored = (RED.nodes.getCredentials(String(req.params.id ?? '')) ?? {}) as ConnectionCredentials;
    const given = body.credentials ?? {};
    const credentials: ConnectionCredentials = {};
    for (const key of ['clientId', 'clientSecret', 'token', 'user', 'password'] as const) {
      const value = given[key];
      const chosen = value === undefined || value === UNCHANGED_SECRET ? stored[key] : value;
      if (chosen !== undefined) credentials[key] = chosen;
    }
    const effective = effectiveCredentials(credentials, body.envPrefix);
    return { def: body as ConnectionNodeDef, credentials: effective, secrets: secretsOf(effective) };
  }

  /**
   * "Test connection": runs the driver's checks with the settings in the edit dialog (saved or not).
   * Secrets left unchanged in the dialog come from the stored credentials; none is ever sent back.
   */
  RED.httpAdmin.post(
    '/crmerp-connection/:id/test',
    RED.auth.needsPermission('crmerp-connection.write'),
    async (req: Request, res: Response) => {
      const { def, credentials, secrets } = dialogSettings(req);
      let checks: ConnectionCheck[];
      let driver: SystemDriver | undefined;
      try {
        driver = createDriver(connectionConfigFrom(def, credentials));
        checks = await driver.testConnection();
      } catch (error) {
        const syncError = toSyncError(error, def.system ?? 'connection');
        checks = [{ name: 'settings', ok: false, message: syncError.message }];
      } finally {
        await driver?.close().catch(() => undefined);
      }
      const safe = checks.map((check) => ({ ...check, message: scrub(check.message, secrets) }));
      res.json({ ok: safe.every((check) => check.ok), checks: safe });
    },
  );

  /** The DDL of the nav-sql staging tables for the dialog's schema, as a script for a DBA. Needs no connection. */
  RED.httpAdmin.post(
    '/crmerp-connection/:id/staging-script',
    RED.auth.needsPermission('crmerp-connection.read'),
    (req: Request, res: Response) => {
      const { def } = dialogSettings(req);
      try {
        const schema = checkIdentifier(
          def.stagingSchema?.trim() || DEFAULT_STAGING_SCHEMA,
          'the staging schema',
          def.system ?? 'connection',
        );
        const database = def.database?.trim() || undefined;
        res.json({ ok: true, script: new StagingSchema(schema).script(database) });
      } catch (error) {
        res.json({ ok: false, message: toSyncError(error, def.system ?? 'connection').message });
      }
    },
  );

  /** Creates the missing staging tables with the dialog's settings; answers what exists afterwards. */
  RED.httpAdmin.post(
    '/crmerp-connection/:id/staging-create',
    RED.auth.needsPermission('crmerp-connection.write'),
    async (req: Request, res: Response) => {
      const { def, credentials, secrets } = dialogSettings(req);
      let driver: SystemDriver | undefined;
      let answer: { ok: boolean; message: string };
      try {
        driver = createDriver(connectionConfigFrom(def, credentials));
        if (!isNavSqlDriver(driver)) {
          answer = { ok: false, message: 'staging tables belong to the nav-sql driver in NAV mode' };
        } else {
          await driver.staging.create();
          const missing = await driver.staging.missingTables();
          answer =
            missing.length === 0
              ? {
                  ok: true,
                  message: `Staging tables ready: ${driver.staging.tables.customers}, ${driver.staging.tables.orders}, ${driver.staging.tables.lines}`,
                }
              : { ok: false, message: `Still missing: ${missing.join(', ')}` };
        }
      } catch (error) {
        answer = { ok: false, message: toSyncError(error, def.system ?? 'connection').message };
      } finally {
        await driver?.close().catch(() => undefined);
      }
      res.json({ ...answer, message: scrub(answer.message, secrets) });
    },
  );
};
