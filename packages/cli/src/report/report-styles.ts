/** The report's whole stylesheet, inlined: the page loads nothing from anywhere. */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6577; --line: #d9dee7; --bg: #f6f7f9; --card: #fff;
  --pass: #1f8a4c; --breach: #c62828; --nodata: #b7791f; --error: #7b3fb0; --bake: #e8f0fd; --verify: #e6f5ec;
  --before: #f1f2f5; --value: #2b6cb0; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 20px 48px; }
header.top { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; }
h1 { font-size: 24px; margin: 0; }
h2 { font-size: 17px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 0 0 6px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.badge { display: inline-block; padding: 3px 10px; border-radius: 999px; font-weight: 600; font-size: 13px; color: #fff; background: var(--muted); }
.outcome-promoted { background: var(--pass); }
.outcome-rolled-back, .outcome-would-roll-back { background: #d35400; }
.outcome-escalated, .outcome-halted { background: var(--breach); }
.outcome-incident-routed { background: var(--error); }
.outcome-kept-on-hold { background: var(--nodata); }
.dry { background: #fff3cd; color: #7a5b00; border: 1px solid #e7c65a; }
.headline { font-size: 17px; font-weight: 600; margin: 10px 0 4px; }
.reason { font-size: 13px; color: var(--muted); margin: 4px 0 16px; overflow-wrap: anywhere; }
.sig { white-space: nowrap; }
.chart-facts { color: var(--muted); font-size: 12px; margin: 0 0 4px; }
.scale-note { font-style: italic; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 10px 0; overflow-x: auto; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.st { font-weight: 600; }
.st-pass { color: var(--pass); } .st-breach { color: var(--breach); } .st-no-data { color: var(--nodata); } .st-error { color: var(--error); }
.legend { display: flex; gap: 14px; flex-wrap: wrap; color: var(--muted); font-size: 12px; margin: 2px 0 6px; }
.legend i { display: inline-block; width: 18px; height: 0; vertical-align: middle; margin-right: 5px; border-top: 2px solid; }
.legend-item { white-space: nowrap; }
.legend .l-value { border-color: var(--value); } .legend .l-threshold { border-color: var(--breach); border-top-style: dashed; }
.legend .l-before { border-color: #8da2bf; }
.legend .l-no-data { width: 7px; height: 7px; border: 1.5px solid var(--nodata); background: #fff; }
.legend .l-error { width: 8px; height: 8px; border: 0; background: linear-gradient(45deg, transparent 42%, var(--error) 42% 58%, transparent 58%), linear-gradient(-45deg, transparent 42%, var(--error) 42% 58%, transparent 58%); }
.legend .l-baseline { border-color: #555; border-top-style: dotted; }
.legend .l-bake { height: 10px; border: 1px solid #b9cdf3; background: var(--bake); }
.legend .l-verify { height: 10px; border: 1px solid #b6dec6; background: var(--verify); }
.legend .l-before-band { height: 10px; border: 1px solid #d5d9e1; background: var(--before); }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--muted); }
svg .band-bake { fill: var(--bake); } svg .band-verify { fill: var(--verify); } svg .band-baseline { fill: var(--before); }
svg .band-label { fill: #4a5d80; font-weight: 600; }
svg .grid { stroke: #eceff4; stroke-width: 1; }
svg .frame { fill: none; stroke: var(--line); }
svg .axis { stroke: #8a94a6; stroke-width: 1.5; }
svg .value { fill: none; stroke: var(--value); stroke-width: 1.6; }
svg .value-before { fill: none; stroke: #8da2bf; stroke-width: 1.4; }
svg .pt-before { fill: #8da2bf; }
svg .missing.miss-nodata { fill: #fff; stroke: var(--nodata); stroke-width: 1.5; }
svg .missing.miss-error { fill: none; stroke: var(--error); stroke-width: 1.8; }
svg .line-label { font-size: 11px; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg .label-threshold { fill: var(--breach); } svg .label-baseline { fill: #444; }
svg .panel-label { fill: #6b7487; font-style: italic; }
svg .axis-break { fill: none; stroke: #8a94a6; stroke-width: 1.5; }
svg .threshold { fill: none; stroke: var(--breach); stroke-width: 1.3; stroke-dasharray: 5 4; }
svg .baseline { stroke: #555; stroke-width: 1.2; stroke-dasharray: 2 3; }
svg .pt-pass { fill: var(--pass); } svg .pt-breach { fill: var(--breach); } svg .pt-nodata { fill: var(--nodata); } svg .pt-error { fill: var(--error); }
svg .mark-line { stroke: #8a94a6; stroke-width: 1; stroke-dasharray: 3 3; }
svg .mark-line.mark-confirmation { stroke: var(--breach); } svg .mark-line.mark-cutover { stroke: #d35400; }
svg .empty { fill: var(--muted); font-size: 13px; }
svg g.mark line { stroke: #8a94a6; stroke-width: 1; }
svg g.mark circle { fill: #fff; stroke: #1d2430; stroke-width: 2; }
svg g.mark text { fill: var(--ink); font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg g.mark-breach-onset circle, svg g.mark-confirmation circle { stroke: var(--breach); }
svg g.mark-cutover circle { stroke: #d35400; }
svg g.mark-recovery circle { stroke: var(--pass); }
ol.events { margin: 8px 0 0; padding-left: 20px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@media print { body { background: #fff; } .card { break-inside: avoid; } }
`;
