import { createContext, use, useCallback, useEffect, useMemo, useState } from 'react'
import { errorMessage, onUnauthorized, session } from './api'
import type { ReactNode } from 'react'

export type SessionState = 'checking' | 'signedIn' | 'signedOut'

interface SessionValue {
  state: SessionState
  /** Why the last check or sign-in failed. */
  error: string | undefined
  signIn: (token: string) => Promise<boolean>
  signOut: () => Promise<void>
}

const SessionContext = createContext<SessionValue | null>(null)

/** Asks `GET /studio/session` at load; any 401 from `/v1` signs the page out. */
export function SessionProvider ({ children }: { children: ReactNode }): ReactNode {
  const [state, setState] = useState<SessionState>('checking')
  const [error, setError] = useState<string | undefined>(undefined)
  useEffect(() => {
    let live = true
    session.check().then(
      (ok) => { if (live) setState(ok ? 'signedIn' : 'signedOut') },
      (err: unknown) => {
        if (!live) return
        setError(errorMessage(err))
        setState('signedOut')
      }
    )
    const off = onUnauthorized(() => { setState('signedOut') })
    return () => {
      live = false
      off()
    }
  }, [])
  const signIn = useCallback(async (token: string): Promise<boolean> => {
    try {
      await session.signIn(token)
      setError(undefined)
      setState('signedIn')
      return true
    } catch (err) {
      setError(errorMessage(err))
      return false
    }
  }, [])
  const signOut = useCallback(async (): Promise<void> => {
    await session.signOut().catch(() => undefined)
    setState('signedOut')
  }, [])
  const value = useMemo(() => ({ state, error, signIn, signOut }), [state, error, signIn, signOut])
  return <SessionContext value={value}>{children}</SessionContext>
}

export function useSession (): SessionValue {
  const value = use(SessionContext)
  if (value == null) throw new Error('useSession outside SessionProvider')
  return value
}
