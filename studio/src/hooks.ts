import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage } from './api'

export interface Resource<T> {
  data: T | undefined
  error: string | undefined
  /** A load (the first, or a reload) is under way. */
  loading: boolean
  reload: () => void
  /** Reloads after a short pause, once for a burst of calls (an event-driven refetch). */
  reloadSoon: () => void
}

interface Loaded<T> { data?: T, error?: string, from?: () => Promise<T>, tick: number }

/**
 * Loads what `load` answers, again whenever `load` changes (memoize it with useCallback)
 * or `reload()` is called. Nothing polls: pages reload on a button or on an event.
 */
export function useResource<T> (load: (() => Promise<T>) | null): Resource<T> {
  const [tick, setTick] = useState(0)
  const [state, setState] = useState<Loaded<T>>({ tick: -1 })
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => {
    if (load == null) return
    let live = true
    load().then(
      (data) => { if (live) setState({ data, from: load, tick }) },
      (err: unknown) => { if (live) setState(s => ({ ...s, error: errorMessage(err), from: load, tick })) }
    )
    return () => { live = false }
  }, [load, tick])
  useEffect(() => () => { clearTimeout(timer.current) }, [])
  const reload = useCallback(() => { setTick(t => t + 1) }, [])
  const reloadSoon = useCallback(() => {
    clearTimeout(timer.current)
    timer.current = setTimeout(() => { setTick(t => t + 1) }, 250)
  }, [])
  const current = state.from === load
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: load != null && (!current || state.tick !== tick),
    reload,
    reloadSoon
  }
}

/** Runs an action from a form or a button: whether it is running, and its error. */
export function useAction<A extends unknown[], R> (action: (...args: A) => Promise<R>): { run: (...args: A) => Promise<R | undefined>, busy: boolean, error: string | undefined, clear: () => void } {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true)
    setError(undefined)
    try {
      return await action(...args)
    } catch (err) {
      setError(errorMessage(err))
      return undefined
    } finally {
      setBusy(false)
    }
  }, [action])
  const clear = useCallback(() => { setError(undefined) }, [])
  return { run, busy, error, clear }
}

/** The `#/page` part of the address, kept in step with the browser's. */
export function useHashRoute (): string {
  const read = (): string => window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? ''
  const [route, setRoute] = useState(read)
  useEffect(() => {
    const onChange = (): void => { setRoute(read()) }
    window.addEventListener('hashchange', onChange)
    return () => { window.removeEventListener('hashchange', onChange) }
  }, [])
  return route
}
