/** Entities of the webhooks schema (the messaging tables are added by the service kit). */
export const webhooksEntities = [];
