import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { parseSettingJson, SyncError } from './lib/errors';
import { validationError } from './lib/model/describe';
import { isProfileId, type EntitySchemaName } from './lib/model/profiles';
import { validateBatch } from './lib/model/validate-records';
import { ENTITY_SCHEMAS, ModelValidator, type SchemaTarget } from './lib/model/validator';
import { evaluate, fail, messageLang, setStatus, t, type InputContext } from './runtime/red';

interface ValidateNodeDef extends NodeDef {
  schemaSource: 'builtin' | 'json' | 'file';
  entity: EntitySchemaName;
  schemaJson: string;
  schemaFile: string;
  profile: string;
  property: string;
  propertyType: string;
  arrayMode: 'partition' | 'split';
  lang: string;
}

const VALID_OUTPUT = 0;
const INVALID_OUTPUT = 1;

function isEntity(value: unknown): value is EntitySchemaName {
  return typeof value === 'string' && (ENTITY_SCHEMAS as readonly string[]).includes(value);
}

/** Builds the schema target once, at deploy: a bad custom schema is a CONFIG error shown on the node. */
function schemaTarget(def: ValidateNodeDef, userDir: string): SchemaTarget {
  const validator = ModelValidator.instance();
  const entity = isEntity(def.entity) ? def.entity : undefined;
  if (def.schemaSource === 'json' || def.schemaSource === 'file') {
    let text: string;
    let where: string;
    if (def.schemaSource === 'file') {
      where = isAbsolute(def.schemaFile) ? def.schemaFile : join(userDir, def.schemaFile);
      try {
        text = readFileSync(where, 'utf8');
      } catch (error) {
        throw new SyncError({
          code: 'CONFIG',
          system: 'input',
          message: `cannot read the schema file ${where}: ${(error as Error).message}`,
        });
      }
    } else {
      where = 'the schema in the node';
      text = def.schemaJson;
    }
    const schema = parseSettingJson(text, `${where} is`, 'input');
    try {
      return validator.compileCustom(schema, entity);
    } catch (error) {
      throw new SyncError({
        code: 'CONFIG',
        system: 'input',
        message: `${where} is not a valid JSON Schema: ${(error as Error).message}`,
      });
    }
  }
  if (!entity)
    throw new SyncError({
      code: 'CONFIG',
      system: 'input',
      message: `unknown built-in schema ${JSON.stringify(def.entity)}`,
    });
  return entity;
}

export = function register(RED: NodeAPI): void {
  function CrmErpValidateNode(this: Node, def: ValidateNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const userDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
    const lang = messageLang(RED, def.lang);
    const profile = isProfileId(def.profile) ? def.profile : undefined;
    const options = { lang, ...(profile ? { profile } : {}) };
    const property = def.property || 'payload';
    const propertyType = def.propertyType || 'msg';
    let target: SchemaTarget | undefined;
    let configError: SyncError | undefined;
    try {
      target = schemaTarget(def, userDir);
    } catch (error) {
      configError = error as SyncError;
      node.error(configError.message);
      setStatus(node, 'error', 'CONFIG');
    }
    const counts = { valid: 0, invalid: 0 };

    node.on('input', async (msg, send, done) => {
      const ctx: InputContext = { node, msg, send, done };
      try {
        if (!target) throw configError;
        const input = await evaluate(RED, node, msg, property, propertyType);
        const entity = typeof target === 'string' ? target : target.entity;
        if (!Array.isArray(input)) {
          const result = ModelValidator.instance().validate(target, input, options);
          if (result.valid) {
            counts.valid++;
            send([msg, null]);
          } else {
            counts.invalid++;
            msg.error = validationError(entity, input, result.problems, lang).toInfo();
            const out: Array<NodeMessage | null> = [null, null];
            out[INVALID_OUTPUT] = msg;
            send(out);
          }
        } else if (def.arrayMode === 'split') {
          const batch = validateBatch(ModelValidator.instance(), target, input, options);
          for (const item of batch.results) {
            const record: unknown = input[item.index];
            const out = RED.util.cloneMessage(msg) as NodeMessage & { error?: unknown; index?: number };
            RED.util.setMessageProperty(out, property, record, true);
            out.parts = { id: msg._msgid, index: item.index, count: input.length, type: 'array', len: 1 } as never;
            if (item.valid) {
              counts.valid++;
              send([out, null]);
            } else {
              counts.invalid++;
              out.error = validationError(entity, record, item.problems, lang, item.index).toInfo();
              send([null, out]);
            }
          }
        } else {
          const batch = validateBatch(ModelValidator.instance(), target, input, options);
          counts.valid += batch.valid.length;
          counts.invalid += batch.invalid.length;
          const summary = {
            total: input.length,
            valid: batch.valid.length,
            invalid: batch.invalid.length,
            results: batch.results,
          };
          const out: Array<NodeMessage | null> = [null, null];
          // An empty list is passed on as valid, so the flow goes on instead of stopping without a sign.
          if (batch.valid.length > 0 || input.length === 0) {
            const validMsg = batch.invalid.length > 0 ? RED.util.cloneMessage(msg) : msg;
            RED.util.setMessageProperty(validMsg, property, batch.valid, true);
            (validMsg as NodeMessage & { validation?: unknown }).validation = summary;
            out[VALID_OUTPUT] = validMsg;
          }
          if (batch.invalid.length > 0) {
            RED.util.setMessageProperty(msg, property, batch.invalid, true);
            (msg as NodeMessage & { validation?: unknown }).validation = summary;
            msg.error = batch.error?.toInfo();
            out[INVALID_OUTPUT] = msg;
          }
          send(out);
        }
        setStatus(
          node,
          counts.invalid > 0 ? 'warning' : 'ok',
          t(RED, 'crmerp-validate.status.counts', { valid: counts.valid, invalid: counts.invalid }),
        );
        done();
      } catch (error) {
        fail(ctx, error, 'input');
      }
    });
  }

  RED.nodes.registerType('crmerp-validate', CrmErpValidateNode);
};
