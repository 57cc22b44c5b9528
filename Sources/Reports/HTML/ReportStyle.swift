/// The report's CSS, inlined in every page (no network at view time).
enum ReportStyle {
    static let css = #"""
    :root{--fake:#c62828;--real:#2e7d32;--unknown:#757575;--error:#ad1457;--line:#dde1e6;--ink:#1d232a;--soft:#5f6b76;--bg:#f6f7f9}
    *{box-sizing:border-box}
    body{margin:0;padding:0 24px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
    header h1{font-size:22px;margin:20px 0 2px}
    .meta{color:var(--soft);margin:0 0 12px}
    .path{white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
    .tiles{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
    .tile{background:#fff;border:1px solid var(--line);border-radius:8px;padding:6px 14px;min-width:84px}
    .tile b{display:block;font-size:20px}
    .tile span{color:var(--soft)}
    .tile.verdict-fake b{color:var(--fake)}.tile.verdict-real b{color:var(--real)}.tile.status-error b{color:var(--error)}
    dl.facts{display:flex;flex-wrap:wrap;gap:4px 18px;margin:8px 0}
    dl.facts div{display:flex;gap:6px}
    dt{color:var(--soft)}dd{margin:0}
    .filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin-top:16px}
    .filters label{display:flex;gap:6px;align-items:center;color:var(--soft)}
    .filters .grow{flex:1 1 260px}.filters .grow input{flex:1}
    .filters input,.filters select,.filters button{font:inherit;padding:3px 6px;border:1px solid #c3c9d0;border-radius:5px;background:#fff}
    .filters input[type=number]{width:6em}
    .count{color:var(--soft);margin:8px 2px}
    table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line)}
    th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
    th button{font:inherit;font-weight:600;border:0;background:none;padding:0;cursor:pointer;color:var(--ink)}
    th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
    td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    td.wide{width:55%}
    td .error-text{display:block;color:var(--error);font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
    tbody tr:hover{background:#f0f4f8}
    .bar{display:inline-block;height:6px;border-radius:3px;background:var(--fake);margin-left:6px;vertical-align:middle}
    .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:var(--unknown)}
    .badge.verdict-fake{background:var(--fake)}.badge.verdict-real{background:var(--real)}
    .pager{display:flex;gap:12px;align-items:center;margin:8px 0}
    .pager button{font:inherit}
    .note{color:var(--soft);font-style:italic}
    .card{background:#fff;border:1px solid var(--line);border-left:5px solid var(--unknown);border-radius:8px;padding:10px 16px;margin:16px 0;content-visibility:auto;contain-intrinsic-size:auto 420px}
    .card.verdict-fake{border-left-color:var(--fake)}.card.verdict-real{border-left-color:var(--real)}
    .card:target{outline:3px solid #1565c0}
    .card h2{font-size:16px;margin:4px 0}
    .card h3{font-size:14px;margin:10px 0 4px;color:var(--soft)}
    .rank{color:var(--soft);font-weight:400}
    pre.error{background:#fdecf2;color:var(--error);padding:6px 10px;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}
    .track-body{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
    .faces{display:flex;flex-wrap:wrap;gap:8px}
    figure.face{margin:0;width:128px}
    .crop{position:relative;width:128px;height:128px;border-radius:6px;overflow:hidden;border:3px solid var(--line)}
    figure.above .crop{border-color:var(--fake)}figure.below .crop{border-color:var(--real)}
    .crop img{display:block}
    .crop .overlay{position:absolute;left:0;top:0;opacity:0;transition:opacity .15s}
    .crop:hover .overlay{opacity:.85}
    figcaption{font-size:11px;color:var(--soft);line-height:1.3;margin-top:2px}
    figcaption .kind{font-weight:600;color:var(--ink)}
    svg.plot{width:560px;max-width:100%;height:auto;background:#fbfcfd;border:1px solid var(--line);border-radius:6px}
    svg .axis{stroke:#9aa5b1}svg .grid{stroke:#e3e7eb;stroke-dasharray:2 3}
    svg .threshold{stroke:var(--fake);stroke-dasharray:6 4}
    svg .series{fill:none;stroke:#1565c0;stroke-width:1.6}
    svg circle.above{fill:var(--fake)}svg circle.below{fill:#1565c0}
    svg text{font-size:10px;fill:var(--soft)}
    svg .ylabel{text-anchor:end}svg .xlabel{text-anchor:middle}svg .xlabel.end{text-anchor:end}svg .threshold-label{text-anchor:end;fill:var(--fake)}
    nav.pages{display:flex;gap:16px;margin:16px 0}
    """#

    /// Added only to pages that show attention maps or manipulation classes, so the reports of
    /// other models keep their bytes.
    static let modelCSS = #"""

    td.manipulation{white-space:nowrap}
    figure.attention{margin:0;width:128px}
    .maps{display:grid;grid-template-columns:61px 61px;width:128px;height:128px;border:3px solid var(--line);border-radius:6px;overflow:hidden;background:var(--line)}
    .maps img{display:block;width:61px;height:61px}
    .classes h3{margin-bottom:2px}
    ul.bars{list-style:none;margin:0 0 4px;padding:0;display:grid;grid-template-columns:max-content 124px max-content;gap:2px 8px;align-items:center;font-size:12px}
    ul.bars li{display:contents}
    .bars .cbar{display:block;height:8px;border-radius:4px;background:var(--fake)}
    .bars .real .cbar{background:var(--real)}
    .bars .num{font-variant-numeric:tabular-nums}
    """#
}
