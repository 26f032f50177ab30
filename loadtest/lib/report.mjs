// Output of the load scripts: SVG line charts of latency over time, JSON results, and
// generated sections of docs/benchmarks.md.
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import prettier from 'prettier';
import { root } from './stack.mjs';

export const docsDir = join(root, 'docs', 'benchmarks');
const benchmarksPage = join(root, 'docs', 'benchmarks.md');
/** Results that later scripts read, such as the measured expected peak. Not committed. */
export const resultsDir = join(root, '.data', 'loadtest');

const WIDTH = 900;
const HEIGHT = 320;
const MARGIN = { left: 60, right: 130, top: 30, bottom: 40 };
const COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e'];

/**
 * Renders a line chart. `series` are `{ name, points: [{ x, y }] }` (y may be NaN for gaps);
 * `markers` are `{ x, label }` vertical lines, such as a kill and a restart.
 */
export function lineChartSvg({ title, xLabel, yLabel, series, markers = [] }) {
  const xs = series.flatMap((line) => line.points.map((point) => point.x));
  const ys = series.flatMap((line) =>
    line.points.map((point) => point.y).filter((y) => Number.isFinite(y)),
  );
  const xMax = Math.max(1, ...xs);
  const yMax = niceCeiling(Math.max(1, ...ys));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x) => MARGIN.left + (x / xMax) * plotWidth;
  const sy = (y) => MARGIN.top + plotHeight - (Math.min(y, yMax) / yMax) * plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
      `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="18" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (let tick = 0; tick <= 4; tick += 1) {
    const y = (yMax * tick) / 4;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${sy(y) + 4}" text-anchor="end">${round(y)}</text>`,
    );
  }
  for (let tick = 0; tick <= 6; tick += 1) {
    const x = (xMax * tick) / 6;
    parts.push(
      `<text x="${sx(x)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${Math.round(x)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
  );
  for (const marker of markers) {
    parts.push(
      `<line x1="${sx(marker.x)}" x2="${sx(marker.x)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#c00" stroke-dasharray="4 3"/>`,
      `<text x="${sx(marker.x) + 3}" y="${MARGIN.top + 12}" fill="#c00">${escapeXml(marker.label)}</text>`,
    );
  }
  series.forEach((line, index) => {
    const color = COLORS[index % COLORS.length];
    parts.push(
      `<path d="${pathOf(line.points, sx, sy)}" fill="none" stroke="${color}" stroke-width="1.5"/>`,
    );
    const legendY = MARGIN.top + 14 + index * 16;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 10}" x2="${WIDTH - MARGIN.right + 30}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${WIDTH - MARGIN.right + 34}" y="${legendY}">${escapeXml(line.name)}</text>`,
    );
  });
  if (ys.some((y) => y > yMax)) {
    parts.push(
      `<text x="${MARGIN.left + 4}" y="${MARGIN.top + 12}">values above ${round(yMax)} are clipped</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Builds an SVG path, breaking the line at missing values. */
function pathOf(points, sx, sy) {
  let path = '';
  let drawing = false;
  for (const point of points) {
    if (!Number.isFinite(point.y)) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${sx(point.x).toFixed(1)} ${sy(point.y).toFixed(1)} `;
    drawing = true;
  }
  return path.trim() || 'M0 0';
}

/** Rounds up to 1, 2 or 5 times a power of ten. */
function niceCeiling(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function round(value) {
  return value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
}

function escapeXml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Latency chart of per-second points from `perSecond()`. */
export function latencyChart(points, { title, markers }) {
  return lineChartSvg({
    title,
    xLabel: 'seconds since the run started',
    yLabel: 'latency (ms)',
    markers,
    series: ['p50', 'p95', 'p99'].map((name) => ({
      name,
      points: points.map((point) => ({ x: point.second, y: point[name] })),
    })),
  });
}

/** Writes an SVG into docs/benchmarks and returns its path relative to docs/. */
export async function writeChart(fileName, svg) {
  await mkdir(docsDir, { recursive: true });
  await writeFile(join(docsDir, fileName), svg);
  return `benchmarks/${fileName}`;
}

/** Saves a result for later scripts and reruns, in .data/loadtest. */
export async function saveResult(name, value) {
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a result saved by {@link saveResult}, or returns undefined. */
export async function readResult(name) {
  try {
    return JSON.parse(await readFile(join(resultsDir, `${name}.json`), 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

/** One-minute load average when this script started, before it put any load on the machine. */
const loadAverageAtStart = loadavg()[0];

/** States how busy the machine was when the run started, which latencies depend on. */
export function loadLine() {
  return (
    `Load average (1 minute) when the run started: ${loadAverageAtStart.toFixed(1)}. ` +
    'Other work on the machine makes latencies and recovery times noisy.'
  );
}

/** Describes this machine for a report: CPUs, memory, Node and the date. */
export function machineLine() {
  const cpuList = cpus();
  const memoryGiB = (totalmem() / 2 ** 30).toFixed(1);
  return (
    `${cpuList.length} CPUs (${cpuList[0]?.model ?? 'unknown model'}), ${memoryGiB} GiB memory, ` +
    `Node ${process.version}, run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`
  );
}

/**
 * Replaces the section between `<!-- load:<name>:begin -->` and `<!-- load:<name>:end -->` in
 * docs/benchmarks.md, appending it at the end when the markers are missing, so every run
 * leaves its latest numbers and other sections are kept.
 */
export async function writeSection(name, markdown) {
  const begin = `<!-- load:${name}:begin -->`;
  const end = `<!-- load:${name}:end -->`;
  const page = await readFile(benchmarksPage, 'utf8');
  const section = `${begin}\n${markdown.trim()}\n${end}`;
  const from = page.indexOf(begin);
  const to = page.indexOf(end);
  const updated =
    from !== -1 && to > from
      ? page.slice(0, from) + section + page.slice(to + end.length)
      : `${page.trimEnd()}\n\n${section}\n`;
  // Formatted as `npm run format` would, so the generated tables pass `format:check`.
  const options = (await prettier.resolveConfig(benchmarksPage)) ?? {};
  await writeFile(
    benchmarksPage,
    await prettier.format(updated, { ...options, filepath: benchmarksPage }),
  );
}

/** Formats a markdown table from a header row and rows. */
export function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** Reads `--name value` and `--flag` options from argv. */
export function parseArgs(argv = process.argv.slice(2)) {
  const options = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}; options start with --`);
    const name = arg.slice(2);
    const next = argv[index + 1];
    if (next !== undefined && !next.startsWith('--')) {
      options[name] = next;
      index += 1;
    } else {
      options[name] = true;
    }
  }
  return options;
}
