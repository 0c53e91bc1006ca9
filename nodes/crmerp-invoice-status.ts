import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { SyncError, toSyncError, type ErrorInfo } from './lib/errors';
import {
  INVOICE_LOOKUPS,
  SUMMARY_FIELDS,
  idFromInput,
  lookUpInvoices,
  writeSummaryToCrm,
  type InvoiceAnswer,
  type InvoiceLookupBy,
  type StoreOpener,
  type SummaryField,
  type SummaryWrite,
} from './lib/invoice-lookup';
import type { SystemDriver } from './lib/ports';
import type { ConnectionNode } from './runtime/connection-config';
import {
  StatusTally,
  requireConfigNode,
  sendFailure,
  sendListResults,
  sendResult,
  type ErrorHandling,
} from './runtime/operation';
import { evaluate, setStatus, t, type InputContext } from './runtime/red';
import type { StoreNode } from './runtime/store-config';

interface InvoiceStatusNodeDef extends NodeDef {
  erp: string;
  store: string;
  lookupBy: InvoiceLookupBy;
  system: string;
  systemType: string;
  recordId: string;
  recordIdType: string;
  errorHandling: ErrorHandling;
  writeSummary: boolean;
  crm: string;
  crmFields: SummaryField[];
}

/** What one looked-up id yields, in `msg.payload` / `msg.erp` / `msg.crm` or as one entry of a list. */
type LookupResult = Omit<InvoiceAnswer, 'customerLink'> & { crm?: SummaryWrite };

type ListEntry = { index: number; id?: string } & (({ ok: true } & LookupResult) | { ok: false; error: ErrorInfo });

type Msg = NodeMessageInFlow & { erp?: unknown; crm?: unknown };

/** The editor's list of connection system names is plain text at run time. */
function evaluationType(editorType: string | undefined): string {
  return !editorType || editorType === 'system' ? 'str' : editorType;
}

/** Settings that cannot work, found at deploy. */
function configProblem(def: InvoiceStatusNodeDef, fields: readonly SummaryField[]): string | undefined {
  if (!INVOICE_LOOKUPS.includes(def.lookupBy)) return `unknown "look up by" ${JSON.stringify(def.lookupBy)}`;
  if (!def.writeSummary) return undefined;
  if (def.lookupBy !== 'customer') return 'the summary can only be written to the CRM when looking up by customer';
  if (fields.length === 0) return 'writing the summary needs at least one summary field';
  return undefined;
}

export = function register(RED: NodeAPI): void {
  function CrmErpInvoiceStatusNode(this: Node, def: InvoiceStatusNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const tally = new StatusTally(node);
    const crmFields = SUMMARY_FIELDS.filter((field) => (def.crmFields ?? SUMMARY_FIELDS).includes(field));
    const problem = configProblem(def, crmFields);
    const configError =
      problem === undefined ? undefined : new SyncError({ code: 'CONFIG', system: 'input', message: problem });
    let reachedErp = false;
    if (configError) {
      node.error(configError.message);
      setStatus(node, 'error', 'CONFIG');
    }

    const openStore: StoreOpener = () => requireConfigNode<StoreNode>(RED, def.store, 'sync store', 'store').getStore();

    async function lookUp(id: string, system: string, erp: SystemDriver, crm?: SystemDriver): Promise<LookupResult> {
      const answer = await lookUpInvoices({ by: def.lookupBy, system, id }, erp, openStore);
      reachedErp = true;
      const result: LookupResult = { invoices: answer.invoices, summary: answer.summary, erp: answer.erp };
      if (crm) result.crm = await writeSummaryToCrm(answer, crm, openStore, crmFields);
      return result;
    }

    function countSuccess(result: LookupResult): void {
      tally.add('ok');
      if (result.crm) tally.add('written');
    }

    node.on('input', async (msg: Msg, send, done) => {
      const ctx: InputContext = { node, msg, send, done };
      let failingSystem = 'input';
      try {
        if (configError) throw configError;
        const erp = requireConfigNode<ConnectionNode>(RED, def.erp, 'ERP connection', 'input').getDriver();
        const crm = def.writeSummary
          ? requireConfigNode<ConnectionNode>(RED, def.crm, 'CRM connection', 'input').getDriver()
          : undefined;
        failingSystem = erp.system;
        const systemValue = await evaluate(RED, node, msg, def.system ?? '', evaluationType(def.systemType));
        if (typeof systemValue !== 'string') {
          throw new SyncError({
            code: 'VALIDATION',
            system: 'input',
            message: `the system name must be text, got ${systemValue === null ? 'null' : typeof systemValue}`,
          });
        }
        // No system named: the ids are the ERP's own.
        const system = systemValue.trim() || erp.system;
        const input = await evaluate(RED, node, msg, def.recordId || 'payload', def.recordIdType || 'msg');
        setStatus(
          node,
          reachedErp ? 'working' : 'connecting',
          t(RED, reachedErp ? 'crmerp-invoice-status.status.working' : 'crmerp-invoice-status.status.connecting'),
        );

        if (!Array.isArray(input)) {
          const result = await lookUp(idFromInput(input, system, def.lookupBy), system, erp, crm);
          msg.payload = { invoices: result.invoices, summary: result.summary };
          msg.erp = result.erp;
          if (result.crm) msg.crm = result.crm;
          countSuccess(result);
          tally.show();
          sendResult(ctx, def.errorHandling, msg);
          done();
          return;
        }

        // A batch: every id is answered on its own, so one failure neither stops nor hides the others.
        const results: ListEntry[] = [];
        const failures: SyncError[] = [];
        for (const [index, value] of input.entries()) {
          let id: string | undefined;
          try {
            id = idFromInput(value, system, def.lookupBy);
            const result = await lookUp(id, system, erp, crm);
            results.push({ index, id, ok: true, ...result });
            countSuccess(result);
          } catch (error) {
            const syncError = toSyncError(error, erp.system);
            failures.push(syncError);
            results.push({ index, ...(id === undefined ? {} : { id }), ok: false, error: syncError.toInfo() });
            tally.add('failed');
          }
        }
        tally.show();
        const describeFailures = (failed: number, total: number) => `${failed} of ${total} invoice look-ups failed`;
        sendListResults(RED, ctx, def.errorHandling, results, failures, describeFailures);
      } catch (error) {
        tally.add('failed');
        sendFailure(ctx, def.errorHandling, error, failingSystem);
      }
    });
  }

  RED.nodes.registerType('crmerp-invoice-status', CrmErpInvoiceStatusNode);
};
