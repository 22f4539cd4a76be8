// The shape of Warden's one typed API: methods (request -> response) and events (engine -> UI).
// Each domain (servers, approvals, audit, ...) declares its part in its own file beside this one;
// index.ts assembles them. The Electron preload and the web bridge both carry exactly this surface.
import { z } from 'zod';

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** Changes state: the web bridge demands a same-origin POST with the session cookie for these. */
  mutates: boolean;
  description: string;
}

export type MethodTable = Record<string, MethodSpec>;
export type EventTable = Record<string, z.ZodType>;

export const method = <I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>) => spec;

export type InputOf<T extends MethodTable, K extends keyof T> = z.input<T[K]['input']>;
export type OutputOf<T extends MethodTable, K extends keyof T> = z.output<T[K]['output']>;

/** Engine-side implementation of a method table. */
export type Handlers<T extends MethodTable> = {
  [K in keyof T]: (input: z.output<T[K]['input']>) => Promise<z.input<T[K]['output']>>;
};

/** UI-side client of a method table. */
export type Client<T extends MethodTable> = {
  [K in keyof T]: (input: InputOf<T, K>) => Promise<OutputOf<T, K>>;
};

/** A stable error code and a sentence, as every boundary carries them. */
export const ApiError = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;
