// Dispatches one API call: validates the input against the contract, runs the handler, and turns any
// failure into { code, message }. The HTTP route, the web bridge and Electron IPC all call this.
import { methods, type MethodName } from '../../../shared/api/index.js';
import type { ApiError, Handlers } from '../../../shared/api/contract.js';
import { WardenError } from '../errors.js';

export type ApiResult = { ok: true; result: unknown } | { ok: false; status: number; error: ApiError };

const STATUS: Record<string, number> = {
  bad_input: 400,
  unauthorized: 401,
  forbidden: 403,
  locked: 403,
  not_found: 404,
  server_unknown: 404,
  server_exists: 409,
};

export function isMethod(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

export function createRouter(handlers: Handlers<typeof methods>) {
  return async function call(name: string, input: unknown): Promise<ApiResult> {
    if (!isMethod(name)) return { ok: false, status: 404, error: { code: 'not_found', message: `Unknown API method \`${name}\`.` } };
    const spec = methods[name];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
      return { ok: false, status: 400, error: { code: 'bad_input', message: `${name}: ${detail}` } };
    }
    try {
      const handler = handlers[name] as (input: unknown) => Promise<unknown>;
      return { ok: true, result: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof WardenError) return { ok: false, status: STATUS[error.code] ?? 409, error: { code: error.code, message: error.message } };
      return { ok: false, status: 500, error: { code: 'internal', message: `${name} failed: ${(error as Error).message}` } };
    }
  };
}
export type ApiCall = ReturnType<typeof createRouter>;
