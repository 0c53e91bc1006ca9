import assert from 'node:assert/strict';
import { describeLocation, poolConfig } from '../../nodes/drivers/sql/database';
import { sqlServerOptionsFor } from '../../nodes/drivers/sql/for-connection';
import { navConfig } from '../drivers/nav-sql-fixture';

describe('SQL layer: pool settings', () => {
  it('connects by port, or by instance name through the SQL Server Browser, never both', () => {
    const byPort = poolConfig({
      system: 'nav',
      server: 'sql1',
      port: 1444,
      database: 'NAV',
      encrypt: true,
      trustServerCertificate: false,
    });
    assert.equal(byPort.port, 1444);
    assert.equal(byPort.options?.instanceName, undefined);
    const byInstance = poolConfig({
      system: 'nav',
      server: 'sql1',
      port: 1444,
      instanceName: 'NAV',
      database: 'NAV',
      encrypt: true,
      trustServerCertificate: false,
    });
    assert.equal(byInstance.port, undefined);
    assert.equal(byInstance.options?.instanceName, 'NAV');
    assert.equal(describeLocation({ server: 'sql1', instanceName: 'NAV', database: 'Demo' }), 'sql1\\NAV/Demo');
    assert.equal(describeLocation({ server: 'sql1', port: 1444, database: 'Demo' }), 'sql1:1444/Demo');
  });

  it('signs in with a SQL login or with Windows authentication over NTLM, encrypted unless turned off', () => {
    const sql = navConfig().sql!;
    const login = poolConfig(sqlServerOptionsFor(navConfig()));
    assert.deepEqual([login.user, login.password, login.authentication], ['crm', sql.password, undefined]);
    assert.deepEqual(
      [login.options?.encrypt, login.options?.trustServerCertificate, login.pool?.max],
      [true, false, 10],
    );
    const windows = navConfig({
      sql: {
        ...sql,
        authentication: 'ntlm',
        domain: 'CONTOSO',
        encrypt: false,
        trustServerCertificate: true,
        poolMax: 3,
      },
    });
    const ntlm = poolConfig(sqlServerOptionsFor(windows));
    assert.equal(ntlm.user, undefined);
    assert.deepEqual(ntlm.authentication, {
      type: 'ntlm',
      options: { domain: 'CONTOSO', userName: 'crm', password: sql.password },
    });
    assert.deepEqual([ntlm.options?.encrypt, ntlm.options?.trustServerCertificate, ntlm.pool?.max], [false, true, 3]);
    assert.equal(ntlm.requestTimeout, 30_000, 'the connection timeout applies to each statement');
    assert.equal(ntlm.options?.useUTC, true);
  });
});
