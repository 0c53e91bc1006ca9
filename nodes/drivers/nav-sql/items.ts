/** Items (table 27): by number, all of them streamed, and a change feed on the rowversion like customers. */
import { SyncError } from '../../lib/errors';
import type { SystemRecord } from '../../lib/ports';
import { rowversion, rowversionBytes } from '../sql/values';
import type { NavContext } from './context';
import { itemFromNav, type NavItem, type Row } from './mapping';
import { itemsChangedStatement, itemsStatement } from './statements';

export interface ItemReader {
  getByNumber(number: string): Promise<SystemRecord<NavItem> | undefined>;
  /** Every item in number order, streamed: memory stays flat for any catalogue. */
  all(): AsyncGenerator<SystemRecord<NavItem>>;
  changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<NavItem>>>;
}

export class NavItemReader implements ItemReader {
  constructor(private readonly ctx: NavContext) {}

  async getByNumber(number: string): Promise<SystemRecord<NavItem> | undefined> {
    const statement = itemsStatement(await this.ctx.schema(), this.ctx.system, 'number');
    const [row] = await this.ctx.db.query<Row>(statement, { number: number.toUpperCase() }, `reading item ${number}`);
    return row === undefined ? undefined : itemFromNav(row);
  }

  async *all(): AsyncGenerator<SystemRecord<NavItem>> {
    const statement = itemsStatement(await this.ctx.schema(), this.ctx.system, 'all');
    for await (const row of this.ctx.db.stream<Row>(statement, {}, 'reading the items')) yield itemFromNav(row);
  }

  async *changedSince(since: string | undefined, pageSize: number): AsyncGenerator<Array<SystemRecord<NavItem>>> {
    let position = since === undefined ? undefined : rowversionBytes(since);
    if (since !== undefined && position === undefined) {
      throw new SyncError({
        code: 'VALIDATION',
        system: this.ctx.system,
        message: `${this.ctx.system}: the watermark ${JSON.stringify(since)} is not a rowversion such as 0x00000000000007D1`,
      });
    }
    const schema = await this.ctx.schema();
    while (true) {
      const rows = await this.ctx.db.query<Row>(
        itemsChangedStatement(schema, this.ctx.system, position !== undefined),
        { pageSize, ...(position !== undefined ? { since: rowversion(position) } : {}) },
        'reading changed items',
      );
      if (rows.length === 0) return;
      yield rows.map(itemFromNav);
      const last = rows[rows.length - 1]!['version'];
      if (rows.length < pageSize || !Buffer.isBuffer(last)) return;
      position = last;
    }
  }
}
