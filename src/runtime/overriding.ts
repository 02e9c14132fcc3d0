/**
 * A view of `target` whose properties named in `overrides` are replaced, and whose other
 * methods stay bound to `target`: for handing a libp2p service a component of the node
 * that behaves differently for that service alone (an address manager that also returns
 * hole-punching candidates, an upgrader that takes the responder's part).
 *
 * @example
 * ```ts
 * const view = overriding(addressManager, { getAddresses: () => [...addressManager.getAddresses(), ...extra] })
 * ```
 */
export function overriding<T extends object> (target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get (object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T]
      const value: unknown = Reflect.get(object, property, object)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value
    }
  })
}
