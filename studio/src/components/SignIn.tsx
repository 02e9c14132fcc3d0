import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core'
import { useState } from 'react'
import { useSession } from '../session'
import type { SyntheticEvent, ReactNode } from 'react'

/** The token form shown when the session is missing or gone. */
export function SignIn (): ReactNode {
  const { signIn, error } = useSession()
  const [token, setToken] = useState('')
  const [busy, setBusy] = useState(false)
  const submit = (e: SyntheticEvent): void => {
    e.preventDefault()
    setBusy(true)
    void signIn(token.trim()).then((ok) => {
      setBusy(false)
      if (ok) setToken('')
    })
  }
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="md" p="xl" radius="md" w={440} maw="100%">
        <form onSubmit={submit} data-testid="signin-form" aria-labelledby="signin-title">
          <Stack>
            <Title order={2} id="signin-title">oa-node Studio</Title>
            <Text size="sm" c="dimmed">
              Paste the node&apos;s API token: it is in <code>&lt;data dir&gt;/api.token</code>.
              Or open Studio with <code>oa-node studio</code>, which signs you in.
            </Text>
            <PasswordInput
              label="API token"
              value={token}
              onChange={(e) => { setToken(e.currentTarget.value) }}
              required
              autoFocus
              autoComplete="current-password"
              data-testid="signin-token"
            />
            {error != null && <Alert color="red" title="Not signed in" data-testid="signin-error">{error}</Alert>}
            <Button type="submit" loading={busy} disabled={token.trim() === ''} data-testid="signin-submit">Sign in</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  )
}
