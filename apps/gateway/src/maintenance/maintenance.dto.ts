import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** `PUT admin/maintenance`. */
export class MaintenanceBody {
  @ApiProperty({ description: 'On: API requests answer 503 MAINTENANCE_MODE (health, admin and sign-in routes keep working).' })
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({ description: 'What callers are told (the problem detail).', maxLength: 500, example: 'Upgrading the database; back by 03:00 UTC.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  message?: string;

  @ApiPropertyOptional({ description: 'When it ends by itself (ISO 8601, in the future); `Retry-After` counts down to it.', format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  ends_at?: string;
}

export class MaintenanceView {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) ends_at!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The admin who last switched it.' }) updated_by!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updated_at!: string | null;
}
