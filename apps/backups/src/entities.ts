/** Entities of the backups schema (the messaging tables are added by the service kit). */
export const backupsEntities = [];
