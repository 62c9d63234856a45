import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, type ValidationArguments } from 'class-validator';

/** API.md list conventions: `?page=1&page_size=20` (max 100), `search=`, `ordering=-created_at`. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * The last page a list may be asked for with `page_size` items per page: its offset
 * `(page - 1) * page_size` stays a safe integer (so it is exact in JavaScript and far inside Postgres'
 * bigint OFFSET). Beyond it a page is a validation error, not a database error (issue 16).
 */
export function maxPage(pageSize: number): number {
  const size = Number.isSafeInteger(pageSize) && pageSize >= 1 ? pageSize : 1;
  return Math.floor(Number.MAX_SAFE_INTEGER / size);
}

/**
 * `page` of a list: an integer from 1 to `maxPage(page_size)`. Every list request (gateway query DTOs
 * and RPC requests alike) declares its page with this, so the bound lives in one place.
 */
export function PageNumber(): PropertyDecorator {
  const decorators: PropertyDecorator[] = [
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    ValidateBy({
      name: 'pageWithinRange',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          if (typeof value !== 'number' || !Number.isFinite(value)) return true; // IsInt says why
          const size = Number((args?.object as { page_size?: unknown } | undefined)?.page_size ?? DEFAULT_PAGE_SIZE);
          return value <= maxPage(size);
        },
        defaultMessage: (args?: ValidationArguments) => {
          const size = Number((args?.object as { page_size?: unknown } | undefined)?.page_size ?? DEFAULT_PAGE_SIZE);
          return `page must not be greater than ${maxPage(size)} with page_size ${Number.isSafeInteger(size) ? size : DEFAULT_PAGE_SIZE}`;
        },
      },
    }),
  ];
  return (target, property) => {
    for (const decorate of decorators) decorate(target, property);
  };
}

export class ListQueryDto {
  @PageNumber()
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
