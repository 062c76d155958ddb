import { z } from 'zod';

/** A large object in a JetStream object store, passed by reference instead of inside a message. */
export const ObjectRef = z
  .object({
    bucket: z.string().min(1),
    name: z.string().min(1),
    size: z.number().int().nonnegative(),
  })
  .strict();
export type ObjectRef = z.infer<typeof ObjectRef>;

/** A payload field that travels inline while small, else by reference (ENAS_MAX_MESSAGE_BYTES). */
export function payload<T extends z.ZodType>(inner: T) {
  return z.union([z.object({ inline: inner }).strict(), z.object({ ref: ObjectRef }).strict()]);
}
export type Payload<T> = { inline: T } | { ref: ObjectRef };
