/** OData literals and ids shared by the OData drivers (Business Central, Dataverse). */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A string literal for keys and $filter: quotes doubled, so a value can never end the literal early. */
export function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
