import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ForgotPasswordRequest,
  IdentityRpc,
  LoginRequest,
  LogoutRequest,
  MeRequest,
  RefreshRequest,
  RegisterRequest,
  ResendVerificationRequest,
  ResetPasswordRequest,
  UpdateMeRequest,
  VerifyEmailRequest,
  type AcceptedResponse,
  type LogoutRpcResponse,
  type ResetPasswordResponse,
  type TokenResponse,
  type UserView,
  type VerifyEmailResponse,
} from '@saas/contracts';
import { RpcHandler } from '@saas/messaging';
import { AuthService } from './auth.service.js';

@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @RpcHandler(IdentityRpc.register)
  register(@Payload() req: RegisterRequest): Promise<AcceptedResponse> {
    return this.auth.register(req);
  }

  @RpcHandler(IdentityRpc.verifyEmail)
  verifyEmail(@Payload() req: VerifyEmailRequest): Promise<VerifyEmailResponse> {
    return this.auth.verifyEmail(req);
  }

  @RpcHandler(IdentityRpc.resendVerification)
  resendVerification(@Payload() req: ResendVerificationRequest): Promise<AcceptedResponse> {
    return this.auth.resendVerification(req);
  }

  @RpcHandler(IdentityRpc.login)
  login(@Payload() req: LoginRequest): Promise<TokenResponse> {
    return this.auth.login(req);
  }

  @RpcHandler(IdentityRpc.refresh)
  refresh(@Payload() req: RefreshRequest): Promise<TokenResponse> {
    return this.auth.refresh(req);
  }

  @RpcHandler(IdentityRpc.logout)
  logout(@Payload() req: LogoutRequest): Promise<LogoutRpcResponse> {
    return this.auth.logout(req);
  }

  @RpcHandler(IdentityRpc.me)
  me(@Payload() req: MeRequest): Promise<UserView> {
    return this.auth.me(req);
  }

  @RpcHandler(IdentityRpc.updateMe)
  updateMe(@Payload() req: UpdateMeRequest): Promise<UserView> {
    return this.auth.updateMe(req);
  }

  @RpcHandler(IdentityRpc.forgotPassword)
  forgotPassword(@Payload() req: ForgotPasswordRequest): Promise<AcceptedResponse> {
    return this.auth.forgotPassword(req);
  }

  @RpcHandler(IdentityRpc.resetPassword)
  resetPassword(@Payload() req: ResetPasswordRequest): Promise<ResetPasswordResponse> {
    return this.auth.resetPassword(req);
  }
}
