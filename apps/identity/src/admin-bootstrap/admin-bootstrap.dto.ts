import { IsEmail, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class BootstrapAdminRequest {
  @IsEmail()
  @MaxLength(254)
  email!: string;

  /** When absent a strong password is generated and returned once. */
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  password?: string;
}

export interface BootstrapAdminResult {
  created: boolean;
  email: string;
  /** Only when this call created the admin with a generated password. */
  generated_password?: string;
}
