import { User } from './users/user.entity.js';

/** Entities of the identity schema (the messaging tables are added by the service kit). */
export const identityEntities = [User];
