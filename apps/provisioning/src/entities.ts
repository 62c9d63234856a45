/** Entities of the provisioning schema (the messaging tables are added by the service kit). */
export const provisioningEntities = [];
