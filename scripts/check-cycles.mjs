#!/usr/bin/env node
// Fails (exit 1) when src/ has an import cycle between files or between folders.
// Type-only imports count: a type that forces two modules to know each other is a cycle too.
// Usage: node scripts/check-cycles.mjs [--root src]
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'

const args = process.argv.slice(2)
const rootIndex = args.indexOf('--root')
const root = resolve(rootIndex >= 0 ? (args[rootIndex + 1] ?? 'src') : 'src')

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return listFiles(path)
    return entry.isFile() && path.endsWith('.ts') ? [path] : []
  })
}

/** Resolves a relative specifier ('./x.js') to a .ts file under root, or null. */
function resolveImport(fromFile, specifier, known) {
  if (!specifier.startsWith('.')) return null
  const base = resolve(dirname(fromFile), specifier)
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (known.has(candidate)) return candidate
  }
  return null
}

/** Strongly connected components with more than one node, or a node that imports itself. */
function findCycles(graph) {
  let index = 0
  const indices = new Map()
  const lowLinks = new Map()
  const stack = []
  const onStack = new Set()
  const cycles = []
  const visit = (node) => {
    indices.set(node, index)
    lowLinks.set(node, index)
    index += 1
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next)
        lowLinks.set(node, Math.min(lowLinks.get(node), lowLinks.get(next)))
      } else if (onStack.has(next)) {
        lowLinks.set(node, Math.min(lowLinks.get(node), indices.get(next)))
      }
    }
    if (lowLinks.get(node) === indices.get(node)) {
      const component = []
      let member
      do {
        member = stack.pop()
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) {
        cycles.push(component.sort())
      }
    }
  }
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node)
  return cycles
}

const files = listFiles(root)
const known = new Set(files)
const fileGraph = new Map()
const folderGraph = new Map()
// A folder is a first-level folder of src (cli/commands belongs to cli); files at the top stand alone.
const folderOf = (file) => relative(root, file).split(sep)[0]
const edge = (graph, from, to) => {
  if (!graph.has(from)) graph.set(from, new Set())
  graph.get(from).add(to)
}
for (const file of files) {
  const name = relative(root, file).split(sep).join('/')
  fileGraph.set(name, fileGraph.get(name) ?? new Set())
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false)
  for (const { fileName } of importedFiles) {
    const target = resolveImport(file, fileName, known)
    if (target === null) continue
    edge(fileGraph, name, relative(root, target).split(sep).join('/'))
    if (folderOf(file) !== folderOf(target)) edge(folderGraph, folderOf(file), folderOf(target))
  }
}

const fileCycles = findCycles(fileGraph)
const folderCycles = findCycles(folderGraph)
for (const cycle of fileCycles) console.error(`file cycle: ${cycle.join(' <-> ')}`)
for (const cycle of folderCycles) console.error(`folder cycle: ${cycle.join(' <-> ')}`)
if (folderCycles.length > 0)
  console.error(
    'hint: a lower folder imports a higher one; a registry that needs every schema belongs in src/formats (nothing below imports it)',
  )
const total = fileCycles.length + folderCycles.length
console.log(
  `check-cycles: ${files.length} files, ${fileCycles.length} file-level and ${folderCycles.length} folder-level import cycles`,
)
process.exitCode = total === 0 ? 0 : 1
