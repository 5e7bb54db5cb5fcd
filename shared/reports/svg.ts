/**
 * Charts for the HTML reports as inline SVG strings: no script, no external resource, so a report
 * stays one self-contained file that prints. Every label is escaped (it may be free text or a
 * value imported from a force's system) and every chart carries a `<title>`, `role="img"` with an
 * `aria-label`, and a `<desc>` listing its figures, so a screen reader gets the numbers too.
 *
 * Widths of text are estimated (about 6.6 px a character at the 12 px the report style sets); a
 * label too long for its column is cut with an ellipsis on the chart, and kept whole in the
 * row's tooltip, the `<desc>` and the table that goes with every chart.
 */
import { escapeHtml, formatPercent } from './html.ts';

export interface Bar {
  readonly label: string;
  /** A count, 0 or more. */
  readonly value: number;
  /** A CSS colour for the bar; the chart's default blue without it. */
  readonly color?: string;
}

export interface BarChartOptions {
  readonly title: string;
  readonly bars: readonly Bar[];
  /** Width of the drawing in px; it scales down with the page. */
  readonly width?: number;
}

export interface IntervalRow {
  readonly label: string;
  /** Proportions from 0 to 1; null when there is nothing to estimate (no concluded case). */
  readonly estimate: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

export interface IntervalChartOptions {
  readonly title: string;
  readonly rows: readonly IntervalRow[];
  readonly width?: number;
}

const DEFAULT_COLOR = '#1d70b8';
const MUTED = '#505a5f';
const GRID = '#d8d8d8';
const CHARACTER_WIDTH = 6.6;
const ROW_HEIGHT = 26;
const BAR_HEIGHT = 16;
const PADDING = 8;

/** A coordinate to one decimal place, so the markup stays short and the same on every run. */
const px = (value: number) => String(Math.round(value * 10) / 10);

function labelColumnWidth(labels: readonly string[], width: number): number {
  const longest = labels.reduce((most, label) => Math.max(most, label.length), 0);
  return Math.min(Math.max(longest * CHARACTER_WIDTH + PADDING, 60), Math.round(width * 0.45));
}

function fitted(label: string, columnWidth: number): string {
  // The small allowance keeps a label that sized the column from failing to fit it by a rounding error.
  const room = Math.max(1, Math.floor((columnWidth - PADDING) / CHARACTER_WIDTH + 1e-9));
  return label.length <= room ? label : `${label.slice(0, Math.max(0, room - 1))}…`;
}

function svgOpen(title: string, description: string, width: number, height: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" ` +
    `width="${width}" height="${px(height)}" viewBox="0 0 ${width} ${px(height)}" ` +
    `style="max-width:100%;height:auto">` +
    `<title>${escapeHtml(title)}</title><desc>${escapeHtml(description)}</desc>`
  );
}

function emptyChart(title: string, width: number): string {
  return `${svgOpen(title, 'Nothing to show.', width, ROW_HEIGHT + PADDING)}<text x="${PADDING}" y="${px(
    ROW_HEIGHT * 0.7,
  )}" fill="${MUTED}">Nothing to show.</text></svg>`;
}

/**
 * A horizontal bar chart: one row per bar, its label on the left, a bar scaled to the largest
 * value, and the count printed after the bar.
 */
export function barChart({ title, bars, width = 640 }: BarChartOptions): string {
  if (bars.length === 0) return emptyChart(title, width);
  bars.forEach((bar, index) => {
    if (!(Number.isFinite(bar.value) && bar.value >= 0)) {
      throw new RangeError(`bars[${index}].value must be a number of at least 0, got ${bar.value}`);
    }
  });
  const labelWidth = labelColumnWidth(
    bars.map((bar) => bar.label),
    width,
  );
  const countWidth = Math.max(...bars.map((bar) => String(bar.value).length)) * CHARACTER_WIDTH + PADDING * 2;
  const barArea = Math.max(20, width - labelWidth - countWidth - PADDING);
  const largest = Math.max(1, ...bars.map((bar) => bar.value));
  const height = bars.length * ROW_HEIGHT + PADDING * 2;
  const rows = bars.map((bar, index) => {
    const top = PADDING + index * ROW_HEIGHT;
    const middle = top + ROW_HEIGHT / 2;
    const length = (bar.value / largest) * barArea;
    return (
      `<g><title>${escapeHtml(`${bar.label}: ${bar.value}`)}</title>` +
      `<text x="${px(labelWidth - PADDING)}" y="${px(middle)}" text-anchor="end" dominant-baseline="middle">${escapeHtml(
        fitted(bar.label, labelWidth),
      )}</text>` +
      `<rect x="${px(labelWidth)}" y="${px(middle - BAR_HEIGHT / 2)}" width="${px(length)}" height="${BAR_HEIGHT}" fill="${escapeHtml(
        bar.color ?? DEFAULT_COLOR,
      )}"/>` +
      `<text x="${px(labelWidth + length + PADDING / 2)}" y="${px(middle)}" dominant-baseline="middle">${escapeHtml(
        bar.value,
      )}</text></g>`
    );
  });
  const description = bars.map((bar) => `${bar.label}: ${bar.value}`).join('; ');
  return `${svgOpen(title, description, width, height)}${rows.join('')}</svg>`;
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

function intervalText(row: IntervalRow): string {
  if (row.estimate === null) return 'no estimate';
  const range =
    row.lower === null || row.upper === null
      ? ''
      : ` (${formatPercent(row.lower)} to ${formatPercent(row.upper)})`;
  return `${formatPercent(row.estimate)}${range}`;
}

/**
 * An interval chart on a 0–100% axis: one row per label, a dot at the estimate and whiskers from
 * the lower to the upper bound, with the figures printed on the right. A row without an estimate
 * says so instead of drawing anything.
 */
export function intervalChart({ title, rows, width = 640 }: IntervalChartOptions): string {
  if (rows.length === 0) return emptyChart(title, width);
  const labelWidth = labelColumnWidth(
    rows.map((row) => row.label),
    width,
  );
  const figuresWidth = 150;
  const left = labelWidth + PADDING;
  const axisWidth = Math.max(40, width - left - figuresWidth - PADDING);
  const x = (proportion: number) => left + clamp01(proportion) * axisWidth;
  const plotBottom = PADDING + rows.length * ROW_HEIGHT;
  const height = plotBottom + 28;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (tick) =>
      `<line x1="${px(x(tick))}" y1="${PADDING}" x2="${px(x(tick))}" y2="${px(plotBottom)}" stroke="${GRID}"/>` +
      `<text x="${px(x(tick))}" y="${px(plotBottom + 16)}" text-anchor="middle" fill="${MUTED}">${tick * 100}%</text>`,
  );
  const drawn = rows.map((row, index) => {
    const middle = PADDING + index * ROW_HEIGHT + ROW_HEIGHT / 2;
    const label =
      `<text x="${px(labelWidth)}" y="${px(middle)}" text-anchor="end" dominant-baseline="middle">` +
      `${escapeHtml(fitted(row.label, labelWidth))}</text>`;
    const figures =
      `<text x="${px(left + axisWidth + PADDING)}" y="${px(middle)}" dominant-baseline="middle" fill="${MUTED}">` +
      `${escapeHtml(intervalText(row))}</text>`;
    let mark = '';
    if (row.estimate !== null) {
      const whisker =
        row.lower === null || row.upper === null
          ? ''
          : `<line x1="${px(x(row.lower))}" y1="${px(middle)}" x2="${px(x(row.upper))}" y2="${px(middle)}" stroke="${DEFAULT_COLOR}" stroke-width="2"/>` +
            [row.lower, row.upper]
              .map(
                (end) =>
                  `<line x1="${px(x(end))}" y1="${px(middle - 5)}" x2="${px(x(end))}" y2="${px(middle + 5)}" stroke="${DEFAULT_COLOR}" stroke-width="2"/>`,
              )
              .join('');
      mark = `${whisker}<circle cx="${px(x(row.estimate))}" cy="${px(middle)}" r="4" fill="${DEFAULT_COLOR}"/>`;
    }
    return `<g><title>${escapeHtml(`${row.label}: ${intervalText(row)}`)}</title>${label}${mark}${figures}</g>`;
  });
  const description = rows.map((row) => `${row.label}: ${intervalText(row)}`).join('; ');
  return `${svgOpen(title, description, width, height)}${ticks.join('')}${drawn.join('')}</svg>`;
}
