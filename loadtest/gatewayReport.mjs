// Writes the results of loadtest/gateways.mjs: docs/benchmarks/gateways.json, two SVG bar
// charts, and the generated tables between the gateway markers in docs/benchmarks.md. The rest
// of docs/benchmarks.md is left as it is.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const BEGIN_MARKER = '<!-- gateways:begin (written by loadtest/gateways.mjs) -->';
const END_MARKER = '<!-- gateways:end -->';
const COLORS = ['#1f6feb', '#8250df', '#bf8700', '#cf222e', '#1a7f37', '#57606a'];

const escapeXml = (text) =>
  String(text).replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c],
  );

/**
 * Renders a horizontal bar chart with one group of bars per operation and one bar per
 * contender, each scaled to the largest value of its own group.
 */
function barChart({ title, unit, groups, contenders, valueOf, format }) {
  const barHeight = 16;
  const labelWidth = 230;
  const chartWidth = 420;
  const groupGap = 18;
  const lines = [];
  let y = 40;
  for (const group of groups) {
    const bars = contenders
      .map((contender, index) => ({ contender, index, value: valueOf(group, contender) }))
      .filter((bar) => bar.value !== null && bar.value !== undefined);
    if (bars.length === 0) continue;
    const max = Math.max(...bars.map((bar) => bar.value));
    lines.push(`<text x="10" y="${y}" font-weight="bold">${escapeXml(group.label)}</text>`);
    y += 8;
    for (const bar of bars) {
      const width = max > 0 ? Math.max(1, (bar.value / max) * chartWidth) : 1;
      lines.push(
        `<text x="20" y="${y + 12}">${escapeXml(bar.contender.label)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${barHeight - 3}"` +
          ` fill="${COLORS[bar.index % COLORS.length]}"/>`,
        `<text x="${(labelWidth + width + 6).toFixed(1)}" y="${y + 12}">${escapeXml(format(bar.value))}</text>`,
      );
      y += barHeight;
    }
    y += groupGap;
  }
  const width = labelWidth + chartWidth + 90;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}"` +
    ` font-family="sans-serif" font-size="12">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n` +
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)} (${escapeXml(unit)})</text>\n` +
    `${lines.join('\n')}\n</svg>\n`
  );
}

const number = (value, digits = 0) =>
  value === null || value === undefined
    ? '–'
    : value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });

function rowOf(report, operation, contender) {
  return report.rows.find((row) => row.operation === operation && row.contender === contender);
}

/** Renders the generated part of the gateway section of docs/benchmarks.md. */
function renderMarkdown(report) {
  const labels = Object.fromEntries(report.contenders.map((c) => [c.id, c.label]));
  const out = [];
  const { settings, machine } = report;
  out.push(
    `Latest run: ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC, \`${report.command}\`.`,
    `Machine: ${machine.cpus} CPUs (${machine.model}), Node.js ${machine.node}. ` +
      `${settings.connections} connections, ${settings.warmupSeconds} s warm-up and ` +
      `${settings.rounds} measured windows of ${settings.measureSeconds} s per row (contenders in turn), ${settings.clientTokens} client tokens ` +
      `of ${settings.users} users in turn.`,
    '',
  );
  for (const operation of report.operations) {
    out.push(
      `**${operation.label}**, operation \`${operation.name}\`, ` +
        `${number(operation.bytes)} bytes per response:`,
      '',
      '| contender | req/s | p50 ms | p99 ms | gateway CPU s per 1k req | subgraphs CPU s per 1k req | failed |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const row of report.rows.filter((r) => r.operation === operation.name)) {
      out.push(
        `| ${labels[row.contender]} | ${number(row.requestsPerSecond, 1)} | ${row.p50Ms} | ` +
          `${row.p99Ms} | ${number(row.gatewayCpuPer1k, 2)} | ` +
          `${number(row.subgraphsCpuPer1k, 2)} | ${row.failed} |`,
      );
    }
    out.push('');
  }

  out.push(
    'Ratios of our gateway to each other contender. Throughput is requests per second; CPU is ' +
      "the other process's CPU seconds per 1,000 requests divided by ours, so above 1 means " +
      'ours needs less CPU per request:',
    '',
    '| operation | compared with | throughput ratio | CPU ratio |',
    '| --- | --- | ---: | ---: |',
  );
  for (const operation of report.operations) {
    const ours = rowOf(report, operation.name, 'ours');
    if (!ours) continue;
    // The bare server is the floor of HTTP handling, not a gateway to compare with.
    for (const row of report.rows.filter(
      (r) => r.operation === operation.name && !['ours', 'bare'].includes(r.contender),
    )) {
      const cpu =
        row.gatewayCpuPer1k === null || !ours.gatewayCpuPer1k
          ? '–'
          : `${(row.gatewayCpuPer1k / ours.gatewayCpuPer1k).toFixed(2)}×`;
      out.push(
        `| ${operation.name} | ${labels[row.contender]} | ` +
          `${(ours.requestsPerSecond / row.requestsPerSecond).toFixed(2)}× | ${cpu} |`,
      );
    }
  }
  out.push('');

  if (report.dedupRows.length > 0) {
    out.push(
      'Dashboard with one client token on every request, where identical requests can be ' +
        'deduplicated:',
      '',
      '| contender | req/s | p50 ms | p99 ms | gateway CPU s per 1k req | subgraphs CPU s per 1k req |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const row of report.dedupRows) {
      out.push(
        `| ${labels[row.contender]} | ${number(row.requestsPerSecond, 1)} | ${row.p50Ms} | ` +
          `${row.p99Ms} | ${number(row.gatewayCpuPer1k, 2)} | ${number(row.subgraphsCpuPer1k, 2)} |`,
      );
    }
    out.push('');
  }
  out.push(
    '![Requests per second by gateway](benchmarks/gateways-throughput.svg)',
    '',
    '![Gateway CPU per request](benchmarks/gateways-cpu.svg)',
  );
  return out.join('\n');
}

/** Formats a file's new text with the repository's Prettier settings, as `npm run format` would. */
async function formatted(path, text) {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...options, filepath: path });
}

/** Writes the JSON, the charts and the markdown tables, and returns the paths written. */
export async function writeReport(root, report) {
  const folder = join(root, 'docs', 'benchmarks');
  await mkdir(folder, { recursive: true });
  const groups = report.operations.map((operation) => ({ ...operation }));
  const throughputSvg = barChart({
    title: 'Throughput per contender',
    unit: 'requests per second',
    groups,
    contenders: report.contenders,
    valueOf: (group, contender) =>
      contender.id === 'bare' ? null : rowOf(report, group.name, contender.id)?.requestsPerSecond,
    format: (value) => number(value, 1),
  });
  const cpuSvg = barChart({
    title: 'Gateway CPU per request',
    unit: 'ms of CPU per request, lower is better',
    groups,
    contenders: report.contenders.filter((c) => c.id !== 'direct'),
    valueOf: (group, contender) => rowOf(report, group.name, contender.id)?.gatewayCpuPer1k,
    format: (value) => number(value, 2),
  });
  const paths = {
    json: join(folder, 'gateways.json'),
    throughput: join(folder, 'gateways-throughput.svg'),
    cpu: join(folder, 'gateways-cpu.svg'),
    markdown: join(root, 'docs', 'benchmarks.md'),
  };
  await writeFile(paths.json, await formatted(paths.json, JSON.stringify(report, null, 2)));
  await writeFile(paths.throughput, throughputSvg);
  await writeFile(paths.cpu, cpuSvg);

  const markdown = await readFile(paths.markdown, 'utf8');
  const begin = markdown.indexOf(BEGIN_MARKER);
  const end = markdown.indexOf(END_MARKER);
  const generated = `${BEGIN_MARKER}\n\n${renderMarkdown(report)}\n\n${END_MARKER}`;
  const updated =
    begin >= 0 && end > begin
      ? `${markdown.slice(0, begin)}${generated}${markdown.slice(end + END_MARKER.length)}`
      : `${markdown.trimEnd()}\n\n## Gateways side by side\n\n${generated}\n`;
  await writeFile(paths.markdown, await formatted(paths.markdown, updated));
  return Object.values(paths);
}
