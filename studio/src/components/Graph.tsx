import { useComputedColorScheme } from '@mantine/core'
import cytoscape from 'cytoscape'
import { useEffect, useRef } from 'react'
import type { ElementDefinition, StylesheetJson } from 'cytoscape'
import type { ReactNode } from 'react'

export interface GraphProps {
  elements: ElementDefinition[]
  /** Extra styles, after the base ones (`node.self`, `edge.relayed`, ...). */
  styles?: StylesheetJson
  height?: number | string
  label: string
  testId?: string
}

function baseStyle (dark: boolean): StylesheetJson {
  const text = dark ? '#e9ecef' : '#212529'
  return [
    { selector: 'node', style: { label: 'data(label)', color: text, 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, 'background-color': '#4dabf7', width: 22, height: 22 } },
    { selector: 'edge', style: { label: 'data(label)', color: text, 'font-size': 9, width: 2, 'line-color': dark ? '#5c5f66' : '#adb5bd', 'curve-style': 'bezier', 'text-background-color': dark ? '#1a1b1e' : '#ffffff', 'text-background-opacity': 0.8, 'text-background-padding': '2px' } }
  ]
}

/** A cytoscape graph laid out by `cose`; drawn again when its elements change. */
export function Graph ({ elements, styles = [], height = 420, label, testId }: GraphProps): ReactNode {
  const container = useRef<HTMLDivElement>(null)
  const dark = useComputedColorScheme('dark') === 'dark'
  useEffect(() => {
    if (container.current == null) return
    const cy = cytoscape({
      container: container.current,
      elements,
      style: [...baseStyle(dark), ...styles],
      layout: { name: elements.length > 2 ? 'cose' : 'grid', animate: false, padding: 30 },
      wheelSensitivity: 0.3,
      // a graph of two or three nodes is not blown up to fill the frame
      maxZoom: 1.6,
      minZoom: 0.2
    })
    return () => { cy.destroy() }
  }, [elements, styles, dark])
  return (
    <div
      ref={container}
      role="img"
      aria-label={label}
      data-testid={testId}
      style={{ height, width: '100%', border: '1px solid var(--mantine-color-default-border)', borderRadius: 8 }}
    />
  )
}
