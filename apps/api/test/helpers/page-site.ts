import type { AddressInfo } from 'node:net'
import type { TcpProxy } from '@app/testing'
import type { FastifyInstance } from 'fastify'
import type { Browser, Page } from 'playwright-core'
import type { Test } from 'tap'
import { buildFaultableApp, untilReady } from './app.ts'
import { chromiumMissing, launchChromium, openPage } from './browser.ts'

export interface Site {
  app: FastifyInstance
  baseURL: string
  postgres: TcpProxy
  redis: TcpProxy
  /** Seeds through the public API, as another client would. */
  post(content: string): Promise<{ id: number; content: string }>
  /** After a proxy is restored, the clients reconnect on their own, with backoff. */
  untilReady(): Promise<void>
}

/** The app of one test, listening, on stores of its own behind proxies the test can cut. */
export async function openSite(t: Test): Promise<Site> {
  // Readiness is what the page shows: a loaded test machine must not make it time out.
  const { app, postgres, redis } = await buildFaultableApp(t, { HEALTH_CHECK_TIMEOUT_MS: '2000' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return {
    app,
    baseURL,
    postgres,
    redis,
    async post(content) {
      const response = await fetch(`${baseURL}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content }),
      })
      if (response.status !== 201)
        throw new Error(`seeding failed: ${response.status} ${await response.text()}`)
      return response.json() as Promise<{ id: number; content: string }>
    },
    async untilReady() {
      if (!(await untilReady(app))) throw new Error('not ready again within 10 s')
    },
  }
}

/** Chromium logs every non-2xx fetch as a console error: these are the ones a test expects. */
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
export const failedFetch = (status: number, path: string) =>
  new RegExp(`status of ${status} .*\\[http://127\\.0\\.0\\.1:\\d+${escapeRegExp(path)}(\\?.*)?\\]$`)

export type PageTest = (
  name: string,
  run: (t: Test, page: Page, site: Site) => Promise<void>,
  expectedErrors?: RegExp[],
) => void

/** Each test gets a site and a page of its own, and fails on any console error or exception it did not expect. */
export function pageTests(t: Test, browser: Browser): PageTest {
  return (name, run, expectedErrors = []) => {
    t.test(name, async (t) => {
      const site = await openSite(t)
      const { page, errors } = await openPage(t, browser, site.baseURL)
      await run(t, page, site)
      const unexpected = errors.filter((error) => !expectedErrors.some((pattern) => pattern.test(error)))
      t.same(unexpected, [], 'no console errors or uncaught exceptions')
    })
  }
}

export const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? ''
export const visitCount = async (page: Page) =>
  Number(await page.locator('#visits').getAttribute('data-count'))
export const messageTexts = (page: Page) => page.locator('#messages .message-content').allTextContents()

/**
 * The page tests of a file, in the Chromium this machine has; without one the
 * file is skipped here (CI installs it, and there a missing browser fails).
 */
export async function pageTestsInChromium(t: Test): Promise<PageTest> {
  const missing = chromiumMissing()
  if (missing) {
    t.plan(0, missing)
    process.exit(0)
  }
  return pageTests(t, await launchChromium(t))
}
