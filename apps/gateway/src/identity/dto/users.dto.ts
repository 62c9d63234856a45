import { OmitType } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import {
  CreateApiKeyRequest,
  CreateUserRequest,
  ListApiKeysRequest,
  ListAuditLogsRequest,
  ListUsersRequest,
  SecurityMetricsRequest,
  UpdateUserRequest,
  UserListRequest,
  UserRoles,
  UserTiers,
} from '@saas/contracts';
import { documented, required, str } from './documented.js';

export class IdParams {
  @IsUUID()
  id!: string;
}

const userFields = {
  full_name: str('Full name.', { maxLength: 200 }),
  first_name: str('First name.', { maxLength: 100 }),
  last_name: str('Last name.', { maxLength: 100 }),
  username: str('3-32 letters, digits, `_`, `.`, `-`.', { nullable: true }),
  role: str('Admins only.', { enum: [...UserRoles] }),
  tier: str('Admins only: an explicit override of the plan-driven rate-limit tier (the subscriptions the user owns decide otherwise); null removes it.', { enum: [...UserTiers], nullable: true }),
  is_active: { type: Boolean, description: 'Admins only; false ends every session and revokes the API keys.' },
  metadata: { type: 'object', additionalProperties: true, description: 'Free-form JSON object.' },
} as const;

export class ListUsersQuery extends OmitType(ListUsersRequest, ['caller'] as const) {}
export class CreateUserBody extends OmitType(CreateUserRequest, ['caller'] as const) {}
documented(CreateUserBody, {
  ...userFields,
  email: required(str('Email address.', { format: 'email' })),
  password: required(str('Initial password.', { format: 'password' })),
  email_verified: { type: Boolean, description: 'Mark the address verified at once.' },
});

/** PUT and PATCH alike: absent fields are unchanged. Self: names, username, metadata; `role`/`is_active`/… → 403. */
export class UpdateUserBody extends OmitType(UpdateUserRequest, ['caller', 'id'] as const) {}
documented(UpdateUserBody, {
  ...userFields,
  email: str('Admins only.', { format: 'email' }),
  password: str('Admins only.', { format: 'password' }),
});

export class UserSubListQuery extends OmitType(UserListRequest, ['caller', 'id'] as const) {}

export class ListApiKeysQuery extends OmitType(ListApiKeysRequest, ['caller'] as const) {}
export class CreateApiKeyBody extends OmitType(CreateApiKeyRequest, ['caller'] as const) {}
documented(CreateApiKeyBody, {
  name: required(str('A name to recognise the key by.', { minLength: 1, maxLength: 100 })),
  tenant_id: str('Bind the key to one tenant you belong to.', { format: 'uuid', nullable: true }),
  scopes: { type: [String], description: 'Scopes recorded with the key.' },
  expires_at: str('When the key stops working (ISO 8601).', { format: 'date-time', nullable: true }),
  user_id: str('Admins only: create the key for another user.', { format: 'uuid' }),
});

export class ListAuditLogsQuery extends OmitType(ListAuditLogsRequest, ['caller'] as const) {}
export class SecurityMetricsQuery extends OmitType(SecurityMetricsRequest, ['caller'] as const) {}
