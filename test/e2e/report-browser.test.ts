/**
 * The report in a real browser: Debian's chromium, headless, driven by playwright-core. CI installs
 * chromium (`apt-get install chromium`); a missing browser fails this test, it never skips.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CompareReportSchema } from '../../src/compare/report-schema.js'
import { GateDecisionSchema } from '../../src/gate/gate-schema.js'
import { oigctl, REPO_ROOT } from '../helpers/cli.js'
import { realPipeline } from '../helpers/real-pipeline.js'

const CHROMIUM = process.env.OIGCTL_CHROMIUM ?? '/usr/bin/chromium'
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts')

describe('the HTML report in headless chromium (real-captures evidence)', () => {
  let dir = ''
  let browser: BrowserContext | null = null
  let reportUrl = ''
  let evidence = ''

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `chromium not found at ${CHROMIUM}: install it with apt-get install -y chromium (or set OIGCTL_CHROMIUM)`,
      )
    }
    dir = mkdtempSync(join(tmpdir(), 'oigctl-browser-'))
    evidence = (await realPipeline()).evidence
    const out = join(dir, 'report.html')
    const r = oigctl(['report', '--evidence', evidence, '--out', out])
    if (r.code !== 0) throw new Error(`report failed (exit ${r.code}):\n${r.stderr}`)
    reportUrl = pathToFileURL(out).href
    // A fresh profile per run: launchPersistentContext passes it as --user-data-dir.
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      viewport: { width: 1200, height: 900 },
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('shows the decision, one row per sequence, links a mismatch cell to its diagram and loads nothing from the network', async () => {
    const page = await browser!.newPage()
    const external: string[] = []
    await page.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith('file:')) return route.continue()
      external.push(url)
      return route.abort()
    })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(reportUrl)

    const gate = GateDecisionSchema.parse(
      JSON.parse(readFileSync(join(evidence, 'gate.json'), 'utf8')),
    )
    const compare = CompareReportSchema.parse(
      JSON.parse(readFileSync(join(evidence, 'compare.json'), 'utf8')),
    )
    await expect(page.locator('#decision').textContent()).resolves.toBe(
      `Decision: ${gate.decision}: ${gate.summary}`,
    )
    await expect(page.locator('table.matrix tr.sequence-row').count()).resolves.toBe(
      compare.sessions.length,
    )

    // The summary reads the compare verdict and the decision together (issue 14).
    const summary = (await page.locator('#summary').textContent()) ?? ''
    expect(summary).toContain(`Compare: ${compare.verdict} (`)
    expect(summary).toContain(`Gate: ${gate.decision} — `)
    for (const k of gate.criteria.filter((c) =>
      c.files.some((f) => f.file.endsWith('compare.json')),
    ))
      expect(summary).toContain(`${k.id} ${k.status}`)
    // Diagrams collapsed: failing ones first and open, passing ones closed until asked for.
    const boxes = page.locator('details.diagram-box')
    await expect(boxes.first().getAttribute('data-verdict')).resolves.not.toBe('PASS')
    await expect(boxes.first().evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(true)
    const passing = page.locator('details.diagram-box[data-verdict="PASS"]')
    expect(await passing.count()).toBeGreaterThan(0)
    await expect(
      page.locator('details.diagram-box[data-verdict="PASS"][open]').count(),
    ).resolves.toBe(0)
    const passLink = page.locator('table.matrix td.v-pass a').first()
    const passHref = (await passLink.getAttribute('href'))!
    await passLink.click()
    await expect
      .poll(() =>
        page.evaluate(
          (id) =>
            (document.getElementById(id)?.closest('details') as HTMLDetailsElement | null)?.open,
          passHref.slice(1),
        ),
      )
      .toBe(true)
    await page.evaluate(() => window.scrollTo(0, 0))

    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'report.png') })

    const mismatch = page.locator('table.matrix td.v-mismatch a').first()
    const href = await mismatch.getAttribute('href')
    expect(href).toMatch(/^#diagram-/)
    await mismatch.click()
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(href)
    const diagram = page.locator(`section.diagram${href!}`)
    await expect(
      diagram.evaluate((d) => (d.closest('details') as HTMLDetailsElement).open),
    ).resolves.toBe(true)
    await expect(diagram.count()).resolves.toBe(1)
    await expect(diagram.locator('text.mark.mismatch').count()).resolves.toBeGreaterThan(0)

    await diagram.locator('g.frame').first().click()
    await expect(diagram.locator('pre.detail').textContent()).resolves.toMatch(
      /\nCRC: (ok|BAD|unknown)\n/,
    )

    await diagram.screenshot({ path: join(ARTIFACTS, 'report-mismatch-diagram.png') })
    expect(external).toEqual([])
    expect(errors).toEqual([])
  })
})
