import { createHash } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  IdentityRpc,
  type AcceptedResponse,
  type CallerDto,
  type ClientInfoDto,
  type LogoutResponse,
  type ResetPasswordResponse,
  type TokenResponse,
  type UserView,
  type VerifyEmailResponse } from '@saas/contracts';
import { RpcClient } from '@saas/messaging';
import { ApiAuth, Caller, Client, Public } from '../auth/auth.decorators.js';
import { CredentialRevocations } from '../auth/revocations.js';
import { ApiResult } from '../http/api-result.js';
import { ApiProblems } from '../http/openapi.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { RateLimitException } from '../rate-limit/rate-limit.headers.js';
import { RateLimitService, type AccountLimit } from '../rate-limit/rate-limit.service.js';
import {
  ForgotPasswordBody,
  LoginBody,
  LogoutBody,
  RefreshBody,
  RegisterBody,
  ResendVerificationBody,
  ResetPasswordBody,
  UpdateMeBody,
  VerifyEmailBody,
} from './dto/auth.dto.js';
import { AcceptedResponseDto, LogoutResponseDto, ResetPasswordResponseDto, TokenResponseDto, UserViewDto, VerifyEmailResponseDto } from './dto/views.js';

const normalise = (identifier: string) => identifier.trim().toLowerCase();

/**
 * `/api/v1/auth/*`: thin, 1:1 onto identity's RPCs. Anonymous routes forward `client` (IP, user
 * agent) for lockouts and the audit log; the others forward the verified `caller`. Login and the
 * password reset have per-account limits on top of the caller's tier (docs/decisions/0006).
 * (`GET auth/session` is the gateway's own route: auth/session.route.ts.)
 */
@ApiTags('auth')
@ApiProblems(400, 429, 503, 504)
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly limits: RateLimitService,
    private readonly revocations: CredentialRevocations,
  ) {}

  @Post('register')
  @Public()
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({ summary: 'Create an account; a verification mail is sent. Same answer whether or not the address is taken.' })
  @ApiResult(AcceptedResponseDto, { description: '`{ status: "accepted", message }`' })
  register(@Body() body: RegisterBody, @Client() client: ClientInfoDto): Promise<AcceptedResponse> {
    return this.rpc.call(IdentityRpc.register, { ...body, client });
  }

  @Post('verify-email')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm the address with the token from the verification mail.' })
  @ApiResult(VerifyEmailResponseDto)
  @ApiProblems(401)
  verifyEmail(@Body() body: VerifyEmailBody, @Client() client: ClientInfoDto): Promise<VerifyEmailResponse> {
    return this.rpc.call(IdentityRpc.verifyEmail, { ...body, client });
  }

  @Post('resend-verification')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'Send the verification mail again. Same answer for every address.' })
  @ApiResult(AcceptedResponseDto, { description: '`{ status: "accepted", message }`' })
  resendVerification(@Body() body: ResendVerificationBody, @Client() client: ClientInfoDto): Promise<AcceptedResponse> {
    return this.rpc.call(IdentityRpc.resendVerification, { ...body, client });
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with `email` or `username` and `password`.' })
  @ApiResult(TokenResponseDto, { description: 'The tokens and the user.' })
  @ApiProblems(401)
  async login(@Body() body: LoginBody, @Client() client: ClientInfoDto): Promise<TokenResponse> {
    const account = normalise(body.email ?? body.username ?? '');
    await this.limit('login', `${account}|${client.ip ?? ''}`, 'sign-in attempts for this account');
    await this.limit('login-account', account, 'sign-in attempts for this account');
    return this.rpc.call(IdentityRpc.login, { ...body, client });
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens (rotation; reusing an old one ends the whole session).' })
  @ApiResult(TokenResponseDto, { description: 'Same as login, with a new refresh token.' })
  @ApiProblems(401)
  refresh(@Body() body: RefreshBody, @Client() client: ClientInfoDto): Promise<TokenResponse> {
    return this.rpc.call(IdentityRpc.refresh, { ...body, client });
  }

  @Post('logout')
  @HttpCode(200)
  @ApiAuth()
  @ApiOperation({ summary: 'End a session (by refresh token or session id) or all of the caller’s sessions.' })
  @ApiResult(LogoutResponseDto)
  @ApiProblems(401)
  async logout(@Body() body: LogoutBody, @Caller() caller: CallerDto): Promise<LogoutResponse> {
    const { session_ids: ended, ...answer } = await this.rpc.call(IdentityRpc.logout, { ...body, caller });
    // Refused here before the answer leaves; other gateways learn it from user.logged_out (README § Revocation).
    this.revocations.revokeSessions(ended ?? []);
    return answer;
  }

  @Post('password/forgot')
  @Public()
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a password reset link. Same answer for every address.' })
  @ApiResult(AcceptedResponseDto, { description: '`{ status: "accepted", message }`' })
  async forgotPassword(@Body() body: ForgotPasswordBody, @Client() client: ClientInfoDto): Promise<AcceptedResponse> {
    await this.limit('password', `forgot:${normalise(body.email)}`, 'password reset requests for this account');
    return this.rpc.call(IdentityRpc.forgotPassword, { ...body, client });
  }

  @Post('password/reset')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password with the token from the reset mail (ends every session, lifts lockouts).' })
  @ApiResult(ResetPasswordResponseDto)
  @ApiProblems(401)
  async resetPassword(@Body() body: ResetPasswordBody, @Client() client: ClientInfoDto): Promise<ResetPasswordResponse> {
    // A reset token belongs to one account: limiting per token is limiting per account.
    await this.limit('password', `reset:${createHash('sha256').update(body.token).digest('hex')}`, 'password reset attempts for this token');
    return this.rpc.call(IdentityRpc.resetPassword, { ...body, client });
  }

  @Get('me')
  @ApiAuth()
  @ApiOperation({ summary: 'The caller’s own account.' })
  @ApiResult(UserViewDto, { description: 'A user.' })
  @ApiProblems(401)
  me(@Caller() caller: CallerDto): Promise<UserView> {
    return this.rpc.call(IdentityRpc.me, { caller });
  }

  @Patch('me')
  @ApiAuth()
  @ApiOperation({ summary: 'Change the caller’s names, username, metadata or password (not role, email, is_active: 400).' })
  @ApiResult(UserViewDto, { description: 'The updated user.' })
  @ApiProblems(401, 409)
  updateMe(@Body() body: UpdateMeBody, @Caller() caller: CallerDto): Promise<UserView> {
    return this.rpc.call(IdentityRpc.updateMe, { ...body, caller });
  }

  private async limit(kind: AccountLimit, key: string, what: string): Promise<void> {
    const decision = await this.limits.consumeAccount(kind, key);
    if (!decision.allowed) throw RateLimitException.exceeded(decision, what);
  }
}
