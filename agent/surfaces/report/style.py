"""The report's one stylesheet, inline: readable at 1280 px and on a 390 px phone, nothing wider than the screen."""

from __future__ import annotations

PHONE = 700
"""Below this width (px) the wide tables become stacked rows, each cell under its column name."""

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;background:#f8fafc;
color:#0f172a;line-height:1.4}
main{max-width:1160px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:28px 0 10px;border-bottom:2px solid #e2e8f0;padding-bottom:4px}
h3{font-size:16px;margin:0 0 6px}
.muted{color:#64748b}.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 14px;min-width:130px;flex:1 1 130px}
.card b{display:block;font-size:20px;white-space:nowrap}.card span{color:#64748b;font-size:13px}
.summary{background:#fff;border-left:4px solid #2563eb;padding:12px 16px;white-space:pre-wrap;line-height:1.5;
max-height:420px;overflow:auto}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border-bottom:1px solid #e2e8f0;padding:6px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f1f5f9;overflow-wrap:normal}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ev{font-size:12px;color:#334155}.ev ul{margin:4px 0;padding-left:18px}
code,pre{background:#f1f5f9;border-radius:3px;font-size:12px}code{padding:0 3px}
pre{padding:6px 8px;white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0}
details{margin-top:4px}summary{cursor:pointer;color:#1d4ed8;font-size:13px}
table.do-first details{font-size:12px}
details .arith{margin:4px 0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.p-high{color:#b91c1c;font-weight:600}.p-medium{color:#b45309}.p-low{color:#475569}
.warn{background:#fef3c7;border:1px solid #f59e0b;padding:8px 12px;border-radius:6px}
.warn-inline{background:#fef3c7;border-radius:4px;padding:0 4px;font-size:12px}
.legend{font-size:13px;color:#334155;background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:8px 12px}
.badge{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;font-weight:600;white-space:nowrap}
.e-online-change{background:#dcfce7;color:#166534}.e-purchase{background:#dbeafe;color:#1e40af}
.e-restart{background:#fef3c7;color:#92400e}.e-code-change{background:#ede9fe;color:#5b21b6}
.e-removal{background:#ffedd5;color:#9a3412}.e-data-deletion{background:#fee2e2;color:#991b1b}
.merged-into{background:#e2e8f0;color:#334155}
.risk{display:block;font-size:12px;color:#475569;margin-top:3px}
table.do-first td:first-child{font-weight:700;width:2em}table.do-first th:nth-child(2){width:190px}
table.do-first th:nth-child(4){width:27%}.rid{font-size:12px}
.total{font-size:16px;margin:12px 0 4px}.rule,.split p{font-size:13px}
.split{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.split section{flex:1 1 280px;background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 14px}
.split ul{list-style:none;margin:0;padding:0;font-size:14px}
.split li{display:flex;justify-content:space-between;gap:8px;border-bottom:1px solid #f1f5f9;padding:2px 0}
.cite{font-size:12px;text-decoration:none}
ol.prices{font-size:13px;color:#334155;overflow-wrap:anywhere}
svg.chart{background:#fff;border:1px solid #e2e8f0;border-radius:8px;max-width:100%;height:auto}
svg .grid{stroke:#e2e8f0}svg .ax{font-size:11px;fill:#64748b}svg .lg,svg .lb{font-size:13px;fill:#0f172a}
@media (max-width:PHONE_PXpx){
main{padding:12px}h1{font-size:22px}
table.stack,table.stack tbody{display:block;width:100%}
table.stack tr{display:block;border-bottom:2px solid #cbd5e1;padding:4px 0}
table.stack tr.head{display:none}
table.stack td{display:inline-block;border:0;padding:2px 8px;text-align:left}
table.stack td.wide{display:block}
table.stack td[data-label]::before{content:attr(data-label) " ";font-size:11px;color:#64748b}
table.do-first tr{display:grid;grid-template-columns:auto 1fr auto;column-gap:4px}
table.do-first td{display:block}
table.do-first td:nth-child(5){grid-column:3;grid-row:1;text-align:right}
table.do-first td:nth-child(3),table.do-first td:nth-child(4),table.do-first td:nth-child(6){grid-column:1/-1}
table.do-first td:first-child::before{content:"#"}
}
""".replace("PHONE_PX", str(PHONE))
