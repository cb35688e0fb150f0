import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Teardown } from '@app/testing'
import axe from 'axe-core'
import { type Browser, chromium, type Page } from 'playwright-core'

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Screenshots land here (git-ignored): CI keeps them as artifacts. */
export const ARTIFACTS_DIR = resolve(import.meta.dirname, '../../../../artifacts')

/**
 * Why the browser tests cannot run here, or undefined when they can. Under CI
 * a missing browser is an error, never a skip: .ci/run installs it.
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined
  if (process.env.CI) throw new Error(`no Chromium at ${CHROMIUM_PATH}: .ci/run installs it with apt-get`)
  return `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`
}

/** Headless Chromium with a fresh profile (Playwright gives each launch a new user-data-dir). */
export async function launchChromium(t: Teardown): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  t.teardown(() => browser.close())
  return browser
}

export interface PageSession {
  page: Page
  /** Console errors (each with the URL it came from) and uncaught exceptions, in order. */
  errors: string[]
}

/** A page in a context of its own: empty cache, cookies and storage. */
export async function openPage(t: Teardown, browser: Browser, baseURL: string): Promise<PageSession> {
  const context = await browser.newContext({
    baseURL,
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1000, height: 800 },
  })
  context.setDefaultTimeout(5_000)
  t.teardown(() => context.close())
  const page = await context.newPage()
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} [${message.location().url}]`)
  })
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
  return { page, errors }
}

/** Loads a URL and waits until the page's first API calls have settled. */
export async function load(page: Page, url = '/'): Promise<void> {
  await page.goto(url)
  await page.waitForSelector('html[data-ready="true"]', { state: 'attached' })
}

export interface AxeViolation {
  id: string
  impact: string | null | undefined
  help: string
  targets: string[]
}

/** axe-core's WCAG 2.1 A/AA and best-practice rules on the current page. */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol, so the page's CSP does not apply to it.
  await page.evaluate(axe.source)
  return page.evaluate(async () => {
    const { axe } = window as unknown as { axe: typeof import('axe-core') }
    const results = await axe.run(document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    })
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }))
  })
}

export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true })
  const path = join(ARTIFACTS_DIR, name)
  await page.screenshot({ path, fullPage })
  return path
}
