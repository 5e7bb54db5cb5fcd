/**
 * Condition expressions shared by the store modules. `statusIn` is "the item's status is one of
 * these", with its placeholders named by a prefix so several can sit in one expression; the
 * expression refers to `#status`, which the caller maps to `status`.
 */
export function statusIn(statuses: readonly string[], prefix: string) {
  const names = statuses.map((_, i) => `:${prefix}${i}`);
  return {
    condition: `#status IN (${names.join(', ')})`,
    values: Object.fromEntries(statuses.map((status, i) => [`:${prefix}${i}`, status])),
  };
}
