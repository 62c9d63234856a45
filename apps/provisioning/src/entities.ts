import { TenantInstance } from './instances/tenant-instance.entity.js';
import { ProvisioningJob } from './jobs/provisioning-job.entity.js';

/** Entities of the provisioning schema (the messaging tables are added by the service kit). */
export const provisioningEntities = [ProvisioningJob, TenantInstance];
