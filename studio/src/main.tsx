import '@mantine/core/styles.css'
import { localStorageColorSchemeManager, MantineProvider } from '@mantine/core'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { SessionProvider } from './session'

const root = document.getElementById('root')
if (root == null) throw new Error('no #root element')

createRoot(root).render(
  <StrictMode>
    <MantineProvider defaultColorScheme="dark" colorSchemeManager={localStorageColorSchemeManager({ key: 'oa-studio.color-scheme' })}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </MantineProvider>
  </StrictMode>
)
