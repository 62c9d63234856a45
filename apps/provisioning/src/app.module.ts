import { Module } from '@nestjs/common';

/** The provisioning service. Its features arrive with their issues; today it boots, migrates and answers health. */
@Module({ imports: [] })
export class AppModule {}
