/**
 * Pictures for notebooks, scripts and docs: SVG line and bar charts, HTML tables of devnet state,
 * HAMTs as Mermaid flowcharts, and Mermaid helpers (traces become sequence diagrams with
 * `traceToMermaid` from 'fvm-sim').
 */
export { lineChart, barChart, formatCompact, niceScale, esc, CHART_COLORS, type ChartValue, type ChartSeries, type ChartMarker, type ChartOptions, type LineChartOptions, type BarChartOptions, type Bar } from './svg.js';
export { htmlTable, actorRows, actorsTable, type Column, type HtmlTableOptions, type ActorRow } from './table.js';
export { hamtToMermaid, hamtShape, occupiedSlots, defaultKeyLabel, type HamtToMermaidOptions, type HamtShape } from './hamt.js';
export { mermaidBlock, mermaidLiveUrl } from './mermaid.js';
