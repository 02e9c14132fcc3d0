import { Center, Loader } from '@mantine/core'
import { SignIn } from './components/SignIn'
import { Shell } from './components/Shell'
import { NodeProvider } from './node-context'
import { useSession } from './session'
import type { ReactNode } from 'react'

export function App (): ReactNode {
  const { state } = useSession()
  if (state === 'checking') return <Center mih="100vh"><Loader aria-label="Loading" /></Center>
  if (state === 'signedOut') return <SignIn />
  return (
    <NodeProvider>
      <Shell />
    </NodeProvider>
  )
}
