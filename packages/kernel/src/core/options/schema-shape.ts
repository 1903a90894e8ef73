import type { z } from 'zod';

/**
 * The fields of an object schema, looking through wrappers (default, prefault, optional,
 * pipe); `undefined` for anything else (a leaf: string, enum, array, record…). Zod 4 keeps a
 * schema's structure in `.def`, wrappers hold the inner schema in `innerType`, pipes in `in`.
 */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current = schema as unknown as { def: { type: string; shape?: Record<string, z.ZodType>; innerType?: unknown; in?: unknown } };
  for (let hops = 0; hops < 10; hops += 1) {
    if (current.def.type === 'object') return current.def.shape;
    const next = current.def.innerType ?? current.def.in;
    if (next === undefined) return undefined;
    current = next as typeof current;
  }
  return undefined;
}
