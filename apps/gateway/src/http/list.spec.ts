import { describe, expect, it } from '@jest/globals';
import { absoluteRequestUrl, toPage } from './list.js';

const request = (url: string, host = 'api.example.test:3000', protocol: 'http' | 'https' = 'http') => ({ url, host, protocol });

describe('toPage', () => {
  const results = ['a', 'b'];

  it('links next and previous with only the page changed, keeping filters and page_size', () => {
    const url = absoluteRequestUrl(request('/api/v1/things?status=parked&page=2&page_size=2&search=x%20y'));
    const page = toPage({ count: 7, results }, { page: 2, page_size: 2 }, url);
    expect(page).toEqual({
      count: 7,
      next: 'http://api.example.test:3000/api/v1/things?status=parked&page=3&page_size=2&search=x+y',
      previous: 'http://api.example.test:3000/api/v1/things?status=parked&page=1&page_size=2&search=x+y',
      results,
    });
  });

  it('adds page when the request had none, and has no previous on the first page', () => {
    const page = toPage({ count: 30, results }, { page: 1, page_size: 20 }, absoluteRequestUrl(request('/api/v1/things')));
    expect(page.next).toBe('http://api.example.test:3000/api/v1/things?page=2');
    expect(page.previous).toBeNull();
  });

  it('has no next on the last page, and none at all for an empty list', () => {
    expect(toPage({ count: 40, results }, { page: 2, page_size: 20 }, absoluteRequestUrl(request('/x?page=2'))).next).toBeNull();
    expect(toPage({ count: 0, results: [] }, { page: 1, page_size: 20 }, absoluteRequestUrl(request('/x')))).toEqual({
      count: 0,
      next: null,
      previous: null,
      results: [],
    });
  });

  it('points previous at the last page when asked for a page past the end', () => {
    const page = toPage({ count: 45, results: [] }, { page: 9, page_size: 20 }, absoluteRequestUrl(request('/x?page=9')));
    expect(page.next).toBeNull();
    expect(page.previous).toBe('http://api.example.test:3000/x?page=3');
  });
});

describe('absoluteRequestUrl', () => {
  it('uses PUBLIC_URL (with its path prefix) rather than the Host header', () => {
    const url = absoluteRequestUrl(request('/api/v1/things?page=1', 'evil.test'), 'https://cp.example.com/platform/');
    expect(url.toString()).toBe('https://cp.example.com/platform/api/v1/things?page=1');
  });

  it('never lets the request path change the origin', () => {
    expect(absoluteRequestUrl(request('//evil.test/x?page=1')).origin).toBe('http://api.example.test:3000');
    expect(absoluteRequestUrl(request('//evil.test/x'), 'https://cp.example.com').origin).toBe('https://cp.example.com');
  });

  it('falls back to localhost when the Host header is not a host', () => {
    expect(absoluteRequestUrl(request('/x', 'bad host/')).host).toBe('localhost');
  });
});
