import { Module } from '@nestjs/common';
import { ProjectionHandlers } from './projections.handlers.js';

@Module({ providers: [ProjectionHandlers] })
export class ProjectionsModule {}
