import { Injectable } from '@nestjs/common';
import {
  MAX_PAGE_SIZE,
  RpcSubjects,
  ServiceNames,
  type DeadLetterListRequest,
  type DeadLetterReplayResult,
  type DeadLetterView,
  type ListResult,
  type ServiceName,
} from '@saas/contracts';
import { DomainException } from '@saas/errors';
import { RpcClient } from '@saas/messaging';
import type { PageParams } from '../http/list.js';
import type { DeadLetterStatus } from './dto/dead-letter-list.query.js';

/** How deep the merged (all services) list may page; past it, ask one service at a time. */
export const MAX_MERGED_WINDOW = 1_000;

export interface UnavailableService {
  service: ServiceName;
  code: string;
  detail: string;
}

export interface DeadLetterList extends ListResult<DeadLetterView> {
  /** Services that did not answer a merged listing; their letters are missing from it. */
  unavailable?: UnavailableService[];
}

/** Newest first, as each service orders its own list; the id breaks ties so pages are stable. */
function newestFirst(a: DeadLetterView, b: DeadLetterView): number {
  return b.parked_at.localeCompare(a.parked_at) || a.id.localeCompare(b.id);
}

/**
 * Operators' view of the messages each service's consumer parked, and their replay. Each service
 * keeps its own dead letters; the gateway asks one, or all of them in parallel and merges.
 */
@Injectable()
export class DeadLettersService {
  constructor(private readonly rpc: RpcClient) {}

  list(service: ServiceName | undefined, status: DeadLetterStatus, page: PageParams): Promise<DeadLetterList> {
    if (service) return this.fetch(service, { status, page: page.page, page_size: page.page_size });
    return this.merged(status, page);
  }

  replay(service: ServiceName, id: string): Promise<DeadLetterReplayResult> {
    return this.rpc.call(RpcSubjects.deadLetters.replay(service), { id });
  }

  private fetch(service: ServiceName, request: DeadLetterListRequest): Promise<ListResult<DeadLetterView>> {
    return this.rpc.call(RpcSubjects.deadLetters.list(service), request);
  }

  /**
   * Page p of the merged list is within the first p × page_size letters of every service, so each
   * is asked for that many (in pages of at most 100) and the union is sorted and cut.
   */
  private async merged(status: DeadLetterStatus, page: PageParams): Promise<DeadLetterList> {
    const window = page.page * page.page_size;
    if (window > MAX_MERGED_WINDOW) {
      throw DomainException.validation(
        [{ field: 'page', message: `page × page_size may be at most ${MAX_MERGED_WINDOW} across all services; pass service= to page further` }],
      );
    }
    const settled = await Promise.allSettled(ServiceNames.map((s) => this.newest(s, status, window)));
    const answered = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const unavailable = settled.flatMap((r, i) => {
      if (r.status === 'fulfilled') return [];
      const err = r.reason instanceof DomainException ? r.reason : undefined;
      return [{ service: ServiceNames[i]!, code: err?.code ?? 'INTERNAL_ERROR', detail: err?.message ?? 'The service failed to answer.' }];
    });
    if (answered.length === 0) throw (settled[0] as PromiseRejectedResult).reason;

    const all = answered.flatMap((r) => r.results).sort(newestFirst);
    const result: DeadLetterList = {
      count: answered.reduce((sum, r) => sum + r.count, 0),
      results: all.slice((page.page - 1) * page.page_size, window),
    };
    if (unavailable.length) result.unavailable = unavailable;
    return result;
  }

  private async newest(service: ServiceName, status: DeadLetterStatus, n: number): Promise<ListResult<DeadLetterView>> {
    const pageSize = Math.min(MAX_PAGE_SIZE, n);
    const results: DeadLetterView[] = [];
    let count = 0;
    for (let p = 1; results.length < n; p++) {
      const batch = await this.fetch(service, { status, page: p, page_size: pageSize });
      count = batch.count;
      results.push(...batch.results);
      if (batch.results.length < pageSize || results.length >= batch.count) break;
    }
    return { count, results: results.slice(0, n) };
  }
}
