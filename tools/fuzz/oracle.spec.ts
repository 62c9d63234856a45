import { describe, expect, it } from '@jest/globals';
import { judge } from './oracle.js';

const problem = (status: number, extra: object = {}) => JSON.stringify({ type: 'x', title: 't', status, detail: 'd', code: 'VALIDATION_FAILED', ...extra });
const PROBLEM = 'application/problem+json; charset=utf-8';

describe('judge', () => {
  it('accepts a 2xx and a 4xx problem with a code', () => {
    expect(judge(200, 'application/json', '{"id":"x"}').ok).toBe(true);
    expect(judge(400, PROBLEM, problem(400)).ok).toBe(true);
  });

  it('fails a 5xx, whatever its body', () => {
    expect(judge(500, PROBLEM, problem(500, { code: 'INTERNAL_ERROR' })).problems).toEqual(['answered 500']);
    expect(judge(503, PROBLEM, problem(503, { code: 'SERVICE_UNAVAILABLE' })).ok).toBe(false);
    expect(judge(0, undefined, '').problems).toContain('no answer');
  });

  it('fails a 4xx that is not problem+json, has no upper-case code or says another status', () => {
    expect(judge(414, 'application/json; charset=utf-8', '{"statusCode":414,"code":"FST_ERR_MAX_PARAM_LENGTH"}').ok).toBe(false);
    expect(judge(400, PROBLEM, problem(400, { code: undefined })).problems).toEqual(['400 problem has no upper-case code (undefined)']);
    expect(judge(400, PROBLEM, problem(400, { code: 'bad code' })).ok).toBe(false);
    expect(judge(404, PROBLEM, problem(400)).problems).toEqual(['404 problem says status 400']);
    expect(judge(400, PROBLEM, 'not json').problems).toContain('400 body is not JSON');
  });

  it('fails a body with a stack trace or SQL, also on a 2xx', () => {
    expect(judge(400, PROBLEM, problem(400, { detail: 'TypeError: x\n    at TenantsService.create (/app/dist/apps/tenants/src/tenants.service.js:10:5)' })).problems).toEqual(['body carries a stack trace']);
    expect(judge(200, 'application/json', '{"error":"duplicate key value violates unique constraint \\"users_email\\""}').problems).toEqual(['body carries SQL or a database error']);
    expect(judge(400, PROBLEM, problem(400, { detail: 'SELECT "u"."id" FROM "identity"."users" "u" WHERE 1' })).ok).toBe(false);
    expect(judge(400, PROBLEM, JSON.stringify({ status: 400, code: 'X', detail: 'relation "identity.userz" does not exist' })).ok).toBe(false);
    expect(judge(200, 'application/json', '{"name":"Select the best from our range","at":"12:30"}').ok).toBe(true);
  });
});
