import type { Sandbox } from './run';

/**
 * What the connection nodes in flows/ read (`${CRMERP_ERP_URL}`, env prefix CRMERP_ERP, …): the sandbox's
 * addresses and credentials, unless the environment already names real systems.
 */
export function sandboxEnvironment(
  sandbox: Pick<Sandbox, 'bc' | 'dataverse'>,
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const defaults: Record<string, string> = {
    CRMERP_ERP_URL: sandbox.bc.url,
    CRMERP_ERP_TENANT: sandbox.bc.tenant,
    CRMERP_ERP_TOKEN_URL: sandbox.bc.tokenUrl,
    CRMERP_ERP_CLIENT_ID: sandbox.bc.clientId,
    CRMERP_ERP_CLIENT_SECRET: sandbox.bc.clientSecret,
    CRMERP_CRM_URL: sandbox.dataverse.url,
    CRMERP_CRM_TOKEN_URL: sandbox.dataverse.tokenUrl,
    CRMERP_CRM_CLIENT_ID: sandbox.dataverse.clientId,
    CRMERP_CRM_CLIENT_SECRET: sandbox.dataverse.clientSecret,
  };
  return { ...defaults, ...env };
}
