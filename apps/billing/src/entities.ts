/** Entities of the billing schema (the messaging tables are added by the service kit). */
export const billingEntities = [];
