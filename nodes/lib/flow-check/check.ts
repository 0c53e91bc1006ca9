/**
 * The flow checker's core: takes parsed flow files and what is known about node types, returns findings.
 * No file system and no Node-RED here; the caller reads files (see load.ts).
 */
import { isAbsolute, join } from 'node:path';
import { SUBFLOW_INSTANCE_PREFIX, STRUCTURAL_TYPES } from './core-types';
import { ADD_CONFIG_PLACEHOLDER, type FlowNode, type NodeSettings, type SettingRule } from './node-settings';
import { BUILT_IN_SCHEMA_IDS, checkSchemaText, parseJson, type SchemaProblem } from './schema-check';
import { findSecrets } from './secrets';

export type FindingKind =
  | 'invalid-node'
  | 'duplicate-id'
  | 'unknown-type'
  | 'unknown-subflow'
  | 'missing-flow'
  | 'missing-group'
  | 'dangling-wire'
  | 'dangling-link'
  | 'dangling-reference'
  | 'config-reference'
  | 'missing-setting'
  | 'invalid-setting'
  | 'inline-secret'
  | 'schema';

export interface Finding {
  file: string;
  kind: FindingKind;
  /** The tab or subflow the node is on, if any. */
  flow?: { id: string; type: 'tab' | 'subflow'; label: string };
  /** Set for nodes on no tab (config nodes). */
  global?: true;
  node?: { id: string; type: string; name: string };
  message: string;
}

/** One parsed flow file: a flow export (array) or Node-RED's flows file (`{ flows, credentials? }`). */
export interface FlowFile {
  path: string;
  /** The directory relative schema file paths are resolved against when no user directory is given. */
  dir: string;
  items: unknown[];
  /** Top-level `credentials` of the `{ flows, credentials }` shape. */
  credentials?: unknown;
}

export interface CheckContext {
  /** Every type a node may have: Node-RED's, ours, installed modules', allowed ones. */
  knownTypes: ReadonlySet<string>;
  /** Our own types and what is known about their settings. */
  settings: Readonly<Record<string, NodeSettings>>;
  /** Setting labels from the editor, per type: `{ 'crmerp-read-changes': { store: 'Sync store' } }`. */
  labels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Where relative schema file paths are resolved; default: each flow file's directory. */
  userDir?: string;
  /** Our package, named in messages about types with its prefix. */
  ownPackage?: { name: string; version: string; typePrefix: string };
  /** Reads a schema file; undefined when it does not exist or cannot be read. */
  readFile: (path: string) => string | undefined;
}

interface Entry {
  node: FlowNode;
  file: string;
}

const FLOW_TYPES = new Set(['tab', 'subflow']);
const SCOPED_TYPES = new Set(['catch', 'status', 'complete']);
const LINK_TARGETS: Record<string, readonly string[]> = {
  'link in': ['link out'],
  'link out': ['link in'],
  'link call': ['link in'],
};

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function describe(node: FlowNode): string {
  const name = text(node.name) || text(node.label);
  return `${node.type} "${name || node.id}" (${node.id})`;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === ADD_CONFIG_PLACEHOLDER;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

function closest(type: string, known: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(type.length / 4)) + 1;
  for (const candidate of known) {
    const d = distance(type.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** A connection reads credentials left empty from `<Env prefix>_<NAME>` (clientSecret → CLIENT_SECRET). */
function environmentHint(node: FlowNode): ((credential: string) => string) | undefined {
  if (node.type !== 'crmerp-connection') return undefined;
  const prefix = text(node.envPrefix) || '<prefix>';
  return (credential) => {
    const name = credential.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    return `leave it empty and set the environment variable ${prefix}_${name}${text(node.envPrefix) ? '' : ' with "Env prefix" set'}`;
  };
}

function ordinal(index: number): string {
  return `output ${index + 1}`;
}

class FlowSetCheck {
  readonly findings: Finding[] = [];
  private readonly byId = new Map<string, Entry>();
  private readonly entries: Entry[] = [];
  /**
   * Files of selected nodes, exported without their tab and group: Node-RED imports them onto the
   * current tab, so their missing "z" and "g" are no fault.
   */
  private readonly selectionExports = new Set<string>();

  constructor(
    private readonly files: readonly FlowFile[],
    private readonly context: CheckContext,
  ) {}

  run(): Finding[] {
    this.index();
    this.findSelectionExports();
    for (const entry of this.entries) this.checkNode(entry);
    for (const file of this.files) this.checkTopLevelCredentials(file);
    return this.findings;
  }

  private lookup = (id: unknown): FlowNode | undefined =>
    typeof id === 'string' ? this.byId.get(id)?.node : undefined;

  private report(entry: Entry | { file: string }, kind: FindingKind, message: string): void {
    const finding: Finding = { file: entry.file, kind, message };
    if ('node' in entry) {
      const node = entry.node;
      finding.node = { id: node.id, type: node.type, name: text(node.name) || text(node.label) };
      const flow = FLOW_TYPES.has(node.type) ? undefined : this.lookup(node.z);
      if (flow && FLOW_TYPES.has(flow.type)) {
        finding.flow = {
          id: flow.id,
          type: flow.type as 'tab' | 'subflow',
          label: text(flow.label) || text(flow.name) || flow.id,
        };
      } else if (isEmpty(node.z) && !FLOW_TYPES.has(node.type)) {
        finding.global = true;
      }
    }
    this.findings.push(finding);
  }

  private index(): void {
    for (const file of this.files) {
      const seenInFile = new Map<string, FlowNode>();
      file.items.forEach((item, position) => {
        const node = item as Partial<FlowNode> | null;
        if (
          node === null ||
          typeof node !== 'object' ||
          Array.isArray(node) ||
          typeof node.id !== 'string' ||
          node.id === '' ||
          typeof node.type !== 'string'
        ) {
          this.report(
            { file: file.path },
            'invalid-node',
            `entry ${position + 1} of the flow is not a node (every entry needs a string "id" and "type"); remove it or export the flow again`,
          );
          return;
        }
        const entry: Entry = { node: node as FlowNode, file: file.path };
        const earlier = this.byId.get(node.id);
        if (seenInFile.has(node.id)) {
          this.report(
            entry,
            'duplicate-id',
            `the id is used by another node in this file, ${describe(seenInFile.get(node.id)!)}; give one of them a new id (import the flow as a copy)`,
          );
          return;
        }
        seenInFile.set(node.id, node as FlowNode);
        if (earlier) {
          // A config node shared by several files of one deployment may repeat, unchanged.
          if (JSON.stringify(earlier.node) !== JSON.stringify(node)) {
            this.report(
              entry,
              'duplicate-id',
              `the id is also used by ${describe(earlier.node)} in ${earlier.file}, which differs; keep one node per id (copies of a shared config node must be identical)`,
            );
          }
          return;
        }
        this.byId.set(node.id, entry);
        this.entries.push(entry);
      });
    }
  }

  private findSelectionExports(): void {
    for (const file of this.files) {
      const nodes = this.entries.filter((entry) => entry.file === file.path).map((entry) => entry.node);
      if (nodes.some((node) => FLOW_TYPES.has(node.type))) continue;
      const flows = new Set(nodes.filter((node) => !isEmpty(node.z)).map((node) => node.z));
      const [only] = flows;
      if (flows.size === 1 && !this.lookup(only)) this.selectionExports.add(file.path);
    }
  }

  private checkNode(entry: Entry): void {
    const { node } = entry;
    this.checkType(entry);
    this.checkParents(entry);
    this.checkWires(entry);
    this.checkLinks(entry);
    this.checkScope(entry);
    if (node.type === 'group') this.checkIdList(entry, 'nodes', 'group member');
    if (node.type === 'subflow') this.checkSubflowPorts(entry);
    const settings = this.context.settings[node.type];
    const secrets = findSecrets(node, Object.keys(settings?.credentials ?? {}), environmentHint(node));
    for (const secret of secrets) {
      this.report(entry, 'inline-secret', `"${secret.path}" holds ${secret.kind} (${secret.masked}); ${secret.fix}`);
    }
    // A setting holding a secret is never quoted in another finding.
    if (settings) this.checkSettings(entry, settings, new Set(secrets.map((s) => s.path.split(/[.[]/)[0] ?? '')));
    if (node.type === 'crmerp-validate') this.checkValidateSchema(entry);
  }

  private checkType(entry: Entry): void {
    const { type } = entry.node;
    if (STRUCTURAL_TYPES.includes(type) || this.context.knownTypes.has(type)) return;
    if (type.startsWith(SUBFLOW_INSTANCE_PREFIX)) {
      const id = type.slice(SUBFLOW_INSTANCE_PREFIX.length);
      const definition = this.lookup(id);
      if (definition?.type !== 'subflow') {
        this.report(
          entry,
          'unknown-subflow',
          `is an instance of subflow ${id}, which is not in the checked files; export the subflow together with the flows that use it`,
        );
      }
      return;
    }
    const suggestion = closest(type, this.context.knownTypes);
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
    const own = this.context.ownPackage;
    this.report(
      entry,
      'unknown-type',
      own && type.startsWith(own.typePrefix)
        ? `unknown node type "${type}"${hint}: ${own.name} ${own.version} has no such node; fix the type, or update the package if the flow was made with a newer version`
        : `unknown node type "${type}"${hint}; install the module that provides it and pass its node_modules with --modules <dir>, or accept the type with --allow-type "${type}"`,
    );
  }

  private checkParents(entry: Entry): void {
    const { node } = entry;
    if (!isEmpty(node.z) && !FLOW_TYPES.has(node.type) && !this.selectionExports.has(entry.file)) {
      const flow = this.lookup(node.z);
      if (!flow) {
        this.report(
          entry,
          'missing-flow',
          `belongs to tab or subflow "${String(node.z)}" ("z"), which is not in the checked files; export the whole tab, or move the node onto an existing one`,
        );
      } else if (!FLOW_TYPES.has(flow.type)) {
        this.report(
          entry,
          'missing-flow',
          `"z" points to ${describe(flow)}, which is not a tab or subflow; move the node onto a tab`,
        );
      }
    }
    if (!isEmpty(node.g)) {
      const group = this.lookup(node.g);
      // Copied out of a group, a node keeps "g"; importing it drops "g".
      const copiedOut = !group && this.selectionExports.has(entry.file);
      if (group?.type !== 'group' && !copiedOut) {
        this.report(
          entry,
          'missing-group',
          group
            ? `"g" points to ${describe(group)}, which is not a group; remove "g" or put the node into a group`
            : `is in group "${String(node.g)}" ("g"), which is not in the checked files; remove "g" or export the group with its nodes`,
        );
      }
    }
  }

  private checkWires(entry: Entry): void {
    const { node } = entry;
    if (!Array.isArray(node.wires)) return;
    node.wires.forEach((port: unknown, index) => {
      if (!Array.isArray(port)) return;
      for (const target of port) {
        const other = this.lookup(target);
        if (!other) {
          this.report(
            entry,
            'dangling-wire',
            `${ordinal(index)} is wired to "${String(target)}", which is not in the checked files; delete the wire or export the node it led to`,
          );
        } else if (FLOW_TYPES.has(other.type) || other.type === 'group') {
          this.report(
            entry,
            'dangling-wire',
            `${ordinal(index)} is wired to ${describe(other)}, which cannot receive messages; delete the wire`,
          );
        } else if (text(other.z) !== text(node.z)) {
          this.report(
            entry,
            'dangling-wire',
            `${ordinal(index)} is wired to ${describe(other)} on another tab, which the editor drops; connect tabs with a link out and a link in node`,
          );
        }
      }
    });
  }

  private checkLinks(entry: Entry): void {
    const { node } = entry;
    const allowed = LINK_TARGETS[node.type];
    if (!allowed) return;
    if (node.type === 'link call' && node.linkType === 'dynamic') return;
    const links = typeof node.links === 'string' ? [node.links] : Array.isArray(node.links) ? node.links : [];
    for (const target of links) {
      const other = this.lookup(target);
      if (!other) {
        this.report(
          entry,
          'dangling-link',
          `links to "${String(target)}", which is not in the checked files; open the node and choose its ${allowed.join(' or ')} node again`,
        );
      } else if (!allowed.includes(other.type)) {
        this.report(
          entry,
          'dangling-link',
          `links to ${describe(other)}, which is not a ${allowed.join(' or ')} node; choose the link target again`,
        );
      }
    }
  }

  private checkScope(entry: Entry): void {
    if (SCOPED_TYPES.has(entry.node.type)) this.checkIdList(entry, 'scope', 'node in its scope');
  }

  private checkIdList(entry: Entry, property: string, what: string): void {
    const list = entry.node[property];
    if (!Array.isArray(list)) return;
    for (const id of list) {
      if (!this.lookup(id)) {
        this.report(
          entry,
          'dangling-reference',
          `${what} "${String(id)}" ("${property}") is not in the checked files; edit the node and select its ${property === 'nodes' ? 'members' : 'nodes'} again`,
        );
      }
    }
  }

  private checkSubflowPorts(entry: Entry): void {
    const { node } = entry;
    const ports: Array<[string, unknown]> = [];
    for (const side of ['in', 'out'] as const) {
      const list = node[side];
      if (Array.isArray(list)) list.forEach((port, index) => ports.push([`${side}put ${index + 1}`, port]));
    }
    if (node.status) ports.push(['status output', node.status]);
    for (const [name, port] of ports) {
      const wires = (port as { wires?: unknown } | null)?.wires;
      if (!Array.isArray(wires)) continue;
      for (const wire of wires) {
        const id = (wire as { id?: unknown } | null)?.id;
        if (id !== node.id && !this.lookup(id)) {
          this.report(
            entry,
            'dangling-wire',
            `the subflow's ${name} is wired to "${String(id)}", which is not in the checked files; open the subflow and wire it again`,
          );
        }
      }
    }
  }

  private settingName(type: string, property: string): string {
    const label = this.context.labels?.[type]?.[property];
    return label ? `"${property}" (${label})` : `"${property}"`;
  }

  private checkSettings(entry: Entry, settings: NodeSettings, secretProperties: ReadonlySet<string>): void {
    const { node } = entry;
    const reported = new Set<string>();
    const missing = (property: string, why: string) => {
      reported.add(property);
      this.report(entry, 'missing-setting', `${this.settingName(node.type, property)} is required${why}`);
    };

    for (const [property, defaultValue] of Object.entries(settings.required)) {
      const value = node[property];
      // Absent with a default: the editor fills in the default when the flow is imported.
      if (value === undefined && defaultValue !== '') continue;
      if (isEmpty(value)) missing(property, ' but empty; set it in the node');
    }

    for (const ref of settings.configRefs) {
      const value = node[ref.property];
      if (isEmpty(value)) {
        if (ref.required) missing(ref.property, `; select a ${ref.type} node`);
        continue;
      }
      reported.add(ref.property);
      const target = this.lookup(value);
      if (!target) {
        this.report(
          entry,
          'config-reference',
          `${this.settingName(node.type, ref.property)} points to "${String(value)}", which is not in the checked files; export the ${ref.type} node with the flow, or select another one`,
        );
      } else if (target.type !== ref.type) {
        this.report(
          entry,
          'config-reference',
          `${this.settingName(node.type, ref.property)} points to ${describe(target)}, but must be a ${ref.type}; select a ${ref.type} node`,
        );
      }
    }

    for (const rule of settings.rules) {
      if (reported.has(rule.property)) continue;
      if (rule.when && !rule.when.holds(node, this.lookup)) continue;
      const value = node[rule.property];
      if (rule.kind === 'required') {
        if (isEmpty(value)) missing(rule.property, ` ${rule.when?.text ?? ''}`.trimEnd() + '; set it in the node');
        continue;
      }
      // Node-RED fills in ${VARIABLE} at deploy; the value is not known here.
      if (value === undefined || (typeof value === 'string' && value.includes('${'))) continue;
      const problem = ruleProblem(rule, value, !secretProperties.has(rule.property));
      if (problem) {
        reported.add(rule.property);
        this.report(
          entry,
          'invalid-setting',
          `${this.settingName(node.type, rule.property)} ${problem}${rule.when ? ` (${rule.when.text})` : ''}`,
        );
      }
    }
  }

  private checkValidateSchema(entry: Entry): void {
    const { node } = entry;
    let problems: SchemaProblem[];
    let subject: string;
    if (node.schemaSource === 'json') {
      subject = 'the schema written in the node';
      problems = checkSchemaText(text(node.schemaJson));
    } else if (node.schemaSource === 'file') {
      const file = text(node.schemaFile);
      if (file === '' || file.includes('${')) return;
      const base = this.context.userDir ?? this.files.find((f) => f.path === entry.file)?.dir ?? '.';
      const path = isAbsolute(file) ? file : join(base, file);
      const content = this.context.readFile(path);
      if (content === undefined) {
        this.report(
          entry,
          'schema',
          `schema file "${file}" does not exist (looked for ${path}); add the file, fix the path (relative to the Node-RED user directory), or pass --user-dir <dir>`,
        );
        return;
      }
      subject = `schema file "${file}"`;
      problems = checkSchemaText(content);
    } else {
      return;
    }
    for (const problem of problems) {
      if (problem.kind === 'json') {
        this.report(entry, 'schema', `${subject} is not valid JSON: ${problem.message}; fix the JSON`);
      } else if (problem.kind === 'ref') {
        this.report(
          entry,
          'schema',
          `${subject} has $ref "${problem.ref}", which points neither into the schema nor to a built-in schema (${BUILT_IN_SCHEMA_IDS.join(', ')}); fix the reference, e.g. "customer.schema.json" or "#/$defs/<name>"`,
        );
      } else {
        this.report(
          entry,
          'schema',
          `${subject} does not compile: ${problem.message}; the node would fail at deploy with CONFIG`,
        );
      }
    }
  }

  private checkTopLevelCredentials(file: FlowFile): void {
    const credentials = file.credentials;
    if (credentials === null || typeof credentials !== 'object' || Array.isArray(credentials)) return;
    for (const [id, values] of Object.entries(credentials)) {
      // `$` holds the encrypted credentials; only plain ones are a leak.
      if (id === '$' || values === null || typeof values !== 'object') continue;
      const owner = this.byId.get(id);
      for (const secret of findSecrets({ credentials: values })) {
        const message = `"${secret.path}" holds ${secret.kind} (${secret.masked}); ${secret.fix}`;
        if (owner && owner.file === file.path) this.report(owner, 'inline-secret', message);
        else this.report({ file: file.path }, 'inline-secret', `credentials of node ${id}: ${message}`);
      }
    }
  }
}

/** What is wrong with a value under a rule ("is \"x\"; it must be …"), or undefined when it is fine. */
function ruleProblem(rule: SettingRule, value: unknown, quote: boolean): string | undefined {
  const is = quote ? `is ${JSON.stringify(value) ?? String(value)}; it` : 'is not valid; it';
  switch (rule.kind) {
    case 'pattern':
      return typeof value === 'string' && rule.pattern.test(value) ? undefined : `${is} must be ${rule.expected}`;
    case 'number': {
      if (rule.blankAllowed && (value === '' || value === null)) return undefined;
      const ok = value !== '' && value !== null && typeof value !== 'boolean' && !Number.isNaN(Number(value));
      return ok ? undefined : `${is} must be a number${rule.blankAllowed ? ' or empty' : ''}`;
    }
    case 'integer': {
      const n = Number(value);
      const ok = value !== '' && typeof value !== 'boolean' && Number.isInteger(n) && n >= rule.min && n <= rule.max;
      return ok ? undefined : `${is} must be a whole number from ${rule.min} to ${rule.max}`;
    }
    case 'jsonObject': {
      if (value === '') return undefined;
      const parsed = typeof value === 'string' ? parseJson(value) : { error: 'not text' };
      if (
        'value' in parsed &&
        parsed.value !== null &&
        typeof parsed.value === 'object' &&
        !Array.isArray(parsed.value)
      ) {
        return undefined;
      }
      return `${'error' in parsed ? 'is not valid JSON' : 'is JSON but not an object'}; it must be a JSON object, e.g. {"name": "field"}`;
    }
    case 'nonEmptyList':
      return Array.isArray(value) && value.length > 0 ? undefined : 'must list at least one value';
    case 'oneOf':
      return typeof value === 'string' && rule.values.includes(value)
        ? undefined
        : `${is} must be one of ${rule.values.join(', ')}`;
    default:
      return undefined;
  }
}

/** Checks files that are deployed together: ids resolve across all of them. */
export function checkFlowSet(files: readonly FlowFile[], context: CheckContext): Finding[] {
  return new FlowSetCheck(files, context).run();
}
