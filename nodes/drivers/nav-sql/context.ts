/** What the ports of one nav-sql connection share: the pool, the company's tables once found, the local currency. */
import type { SqlSession } from '../sql/database';
import { discoverCompany } from './discovery';
import type { NavCompanySchema } from './names';
import type { NavSqlSettings } from './settings';
import { NavStaging } from './staging';
import { localCurrencyStatement } from './statements';

/** What BC's API answers for a company without a currency code, and so the default here too. */
const FALLBACK_CURRENCY = 'EUR';

/** Caches a successful result; a failure is not kept, so the next call tries again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      const attempt = load();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}

export class NavContext {
  readonly system: string;
  readonly staging: NavStaging;
  /** The company's tables and columns, looked up on first use. */
  readonly schema: () => Promise<NavCompanySchema>;
  /** The ISO code NAV's blank currency code stands for. */
  readonly localCurrency: () => Promise<string>;

  constructor(
    readonly db: SqlSession,
    readonly settings: NavSqlSettings,
  ) {
    this.system = settings.system;
    this.staging = new NavStaging(db, settings.system, settings.company, settings.stagingSchema);
    this.schema = once(() => discoverCompany(db, settings.system, settings.tableSchema, settings.company));
    this.localCurrency = once(async () => {
      if (settings.localCurrency) return settings.localCurrency;
      const statement = localCurrencyStatement(await this.schema(), this.system);
      if (statement === undefined) return FALLBACK_CURRENCY;
      const [row] = await db.query<{ lcy: string }>(statement, {}, 'reading the local currency');
      return row?.lcy?.trim().toUpperCase() || FALLBACK_CURRENCY;
    });
  }
}
