import { OmitType } from '@nestjs/swagger';
import {
  ForgotPasswordRequest,
  LoginRequest,
  LogoutRequest,
  RefreshRequest,
  RegisterRequest,
  ResendVerificationRequest,
  ResetPasswordRequest,
  UpdateMeRequest,
  VerifyEmailRequest,
} from '@saas/contracts';
import { documented, required, str } from './documented.js';

const email = required(str('Email address.', { format: 'email', maxLength: 254, example: 'ada@example.com' }));
const password = required(str('Password (at least 12 characters, not a common one, not your email).', { format: 'password', maxLength: 256 }));

export class RegisterBody extends OmitType(RegisterRequest, ['client'] as const) {}
documented(RegisterBody, {
  email,
  password,
  password_confirm: str('When given, must equal `password`.', { format: 'password' }),
  full_name: str('`full_name`, or `first_name` and `last_name`.', { maxLength: 200, example: 'Ada Lovelace' }),
  first_name: str('First name.', { maxLength: 100 }),
  last_name: str('Last name.', { maxLength: 100 }),
  tenant_name: str('With `tenant_domain`: a tenant to create for the new user.', { minLength: 2, maxLength: 100 }),
  tenant_domain: str('Domain of that tenant.', { maxLength: 253 }),
});

export class LoginBody extends OmitType(LoginRequest, ['client'] as const) {}
documented(LoginBody, {
  email: str('Email address (or `username`, not both).', { format: 'email' }),
  username: str('Username (or `email`, not both).'),
  password: required(str('Password.', { format: 'password' })),
});

export class RefreshBody extends OmitType(RefreshRequest, ['client'] as const) {}
documented(RefreshBody, { refresh_token: required(str('The refresh token of the last login/refresh (`rt_…`); it is rotated.')) });

export class LogoutBody extends OmitType(LogoutRequest, ['caller'] as const) {}
documented(LogoutBody, {
  refresh_token: str('End the session of this refresh token.'),
  session_id: str('End this session (the access token’s `sid`). Neither given: every session of the caller.', { format: 'uuid' }),
});

export class VerifyEmailBody extends OmitType(VerifyEmailRequest, ['client'] as const) {}
documented(VerifyEmailBody, { token: required(str('The token from the verification mail.')) });

export class ResendVerificationBody extends OmitType(ResendVerificationRequest, ['client'] as const) {}
documented(ResendVerificationBody, { email });

export class ForgotPasswordBody extends OmitType(ForgotPasswordRequest, ['client'] as const) {}
documented(ForgotPasswordBody, { email });

export class ResetPasswordBody extends OmitType(ResetPasswordRequest, ['client'] as const) {}
documented(ResetPasswordBody, { token: required(str('The token from the reset mail.')), password });

export class UpdateMeBody extends OmitType(UpdateMeRequest, ['caller'] as const) {}
documented(UpdateMeBody, {
  full_name: str('Full name.', { maxLength: 200 }),
  first_name: str('First name.', { maxLength: 100 }),
  last_name: str('Last name.', { maxLength: 100 }),
  username: str('3-32 letters, digits, `_`, `.`, `-`.'),
  metadata: { type: 'object', additionalProperties: true, description: 'Free-form JSON object.' },
  password: str('New password (needs `current_password`; ends every other session).', { format: 'password' }),
  current_password: str('Current password, to change it.', { format: 'password' }),
});
