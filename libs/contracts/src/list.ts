import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** API.md list conventions: `?page=1&page_size=20` (max 100), `search=`, `ordering=-created_at`. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export class ListQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page: number = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  page_size: number = DEFAULT_PAGE_SIZE;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @IsOptional()
  @Matches(/^-?[a-z_]+(,-?[a-z_]+)*$/, { message: 'ordering must be field names, comma-separated, each optionally prefixed by -' })
  ordering?: string;
}

/** What a service answers to a list RPC; the gateway turns it into a Page with next/previous links. */
export interface ListResult<T> {
  count: number;
  results: T[];
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** Parses `ordering` against the fields a list allows; unknown fields are a validation error. */
export function parseOrdering(
  ordering: string | undefined,
  allowed: readonly string[],
  fallback: Record<string, 'ASC' | 'DESC'>,
): { ok: true; order: Record<string, 'ASC' | 'DESC'> } | { ok: false; field: string } {
  if (!ordering) return { ok: true, order: fallback };
  const order: Record<string, 'ASC' | 'DESC'> = {};
  for (const part of ordering.split(',')) {
    const desc = part.startsWith('-');
    const field = desc ? part.slice(1) : part;
    if (!allowed.includes(field)) return { ok: false, field };
    order[field] = desc ? 'DESC' : 'ASC';
  }
  return { ok: true, order };
}
