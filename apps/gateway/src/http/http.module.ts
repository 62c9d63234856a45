import { Global, Module } from '@nestjs/common';
import { Paginator } from './list.js';

/** The HTTP conventions every feature module shares (lists today). */
@Global()
@Module({ providers: [Paginator], exports: [Paginator] })
export class HttpConventionsModule {}
