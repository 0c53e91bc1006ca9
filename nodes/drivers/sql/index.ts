/** The SQL layer: one pool per database, typed parameters, batching, retries, error mapping, identifiers. */
export * from './batching';
export * from './database';
export * from './errors';
export * from './identifiers';
export * from './retry';
export * from './values';
