/** Entities of the tenants schema (the messaging tables are added by the service kit). */
export const tenantsEntities = [];
