/**
 * Code-unit order of two strings, the same on every machine (`localeCompare` depends on
 * the locale and loads ICU's collation data).
 *
 * @example
 * ```ts
 * ['b@p', 'a@p'].sort(byCodeUnits)   // ['a@p', 'b@p']
 * ```
 */
export function byCodeUnits (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
