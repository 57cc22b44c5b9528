/// The report's Mustache templates. `{{name}}` is HTML-escaped by the engine, so every path,
/// error text and label lands as text; `{{{name}}}` (unescaped) is used only for the page's own
/// CSS and script, for HTML that the card template itself produced, and for the table data,
/// which `TableData.json` makes safe inside a script element.
enum ReportTemplates {
    /// The index: summary, filter controls, the table (filled in by the script), and the cards
    /// when they fit in the file.
    static let index = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{summary.title}}</title>
    <style>{{{style}}}</style>
    </head>
    <body>
    <header>
    <h1>{{summary.title}}</h1>
    <p class="meta">Generated {{summary.generated}}{{#summary.source}} from <span class="path">{{summary.source}}</span>{{/summary.source}}.</p>
    </header>
    <section class="summary" aria-label="Run summary">
    <div class="tiles">
    <div class="tile"><b>{{summary.total}}</b><span>videos</span></div>
    {{#summary.verdicts}}<div class="tile verdict-{{name}}"><b>{{count}}</b><span>{{name}}</span></div>
    {{/summary.verdicts}}
    {{#summary.statuses}}<div class="tile status-{{name}}"><b>{{count}}</b><span>{{name}}</span></div>
    {{/summary.statuses}}
    </div>
    <dl class="facts">
    {{#summary.facts}}<div><dt>{{name}}</dt><dd>{{value}}</dd></div>
    {{/summary.facts}}
    </dl>
    </section>
    <section class="videos" aria-label="Videos">
    <form class="filters" id="filters" onsubmit="return false">
    <label>verdict <select id="f-verdict"><option value="">any</option>{{#verdictNames}}<option>{{.}}</option>{{/verdictNames}}</select></label>
    <label>status <select id="f-status"><option value="">any</option>{{#statusNames}}<option>{{.}}</option>{{/statusNames}}</select></label>{{#hasManipulation}}<label>manipulation <select id="f-manipulation"><option value="">any</option>{{#manipulationNames}}<option>{{.}}</option>{{/manipulationNames}}</select></label>{{/hasManipulation}}
    <label>p_fake from <input id="f-min" type="number" min="0" max="1" step="0.01" placeholder="0"></label>
    <label>to <input id="f-max" type="number" min="0" max="1" step="0.01" placeholder="1"></label>
    <label class="grow">path <input id="f-path" type="search" placeholder="part of the path"></label>
    <button type="button" id="f-reset">clear</button>
    </form>
    <p class="count" id="count" aria-live="polite">{{summary.total}} videos</p>
    <table id="videos">
    <thead><tr>
    <th><button data-key="rank">#</button></th>
    <th><button data-key="p">p_fake</button></th>
    <th><button data-key="verdict">verdict</button></th>{{#hasManipulation}}
    <th><button data-key="manipulation">manipulation</button></th>{{/hasManipulation}}
    <th><button data-key="status">status</button></th>
    <th><button data-key="tracks">tracks</button></th>
    <th><button data-key="faces">faces</button></th>
    <th><button data-key="duration">duration</button></th>
    <th class="wide"><button data-key="path">path</button></th>
    </tr></thead>
    <tbody></tbody>
    </table>
    <nav class="pager" id="pager"><button id="prev">‹ previous</button><span id="page"></span><button id="next">next ›</button></nav>
    <noscript><p class="note">The table needs JavaScript; the cards below do not.</p></noscript>
    </section>
    <script type="application/json" id="report-data">{{{tableJSON}}}</script>
    <script>{{{script}}}</script>
    {{#splitNote}}<p class="note">{{.}}</p>{{/splitNote}}
    <section class="cards" aria-label="Videos one by one">
    {{{cards}}}
    </section>
    </body>
    </html>

    """#

    /// A page of cards when the cards do not fit in the index file.
    static let cardPage = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}}</title>
    <style>{{{style}}}</style>
    </head>
    <body>
    <nav class="pages"><a href="{{index}}">↑ all videos</a>{{#previous}} <a href="{{.}}">‹ previous page</a>{{/previous}}{{#next}} <a href="{{.}}">next page ›</a>{{/next}} <span>{{range}}</span></nav>
    <section class="cards">
    {{{cards}}}
    </section>
    </body>
    </html>

    """#

    /// One video.
    static let card = #"""
    <article class="card verdict-{{verdict}}" id="{{anchor}}">
    <h2><span class="rank">#{{rank}}</span> <span class="badge verdict-{{verdict}}">{{verdict}}</span> <span class="score">p_fake {{pFake}}</span></h2>
    <p class="path">{{path}}</p>
    <dl class="facts">{{#facts}}<div><dt>{{name}}</dt><dd>{{value}}</dd></div>{{/facts}}</dl>
    {{#error}}<pre class="error">{{error}}</pre>{{/error}}
    {{#notes}}<p class="note">{{.}}</p>{{/notes}}{{#classes}}<div class="classes"><h3>{{title}}</h3><ul class="bars">{{#bars}}<li class="{{kind}}"><span>{{name}}</span><span class="cbar" style="width:{{width}}px"></span><span class="num">{{value}}</span></li>{{/bars}}</ul></div>{{/classes}}
    {{#tracks}}
    <div class="track">
    <h3>{{title}}</h3>
    <div class="track-body">
    <div class="faces">{{#faces}}<figure class="face {{side}}"><div class="crop"><img src="{{source}}" width="128" height="128" alt="face, {{caption}}">{{#overlays}}<img class="overlay" src="{{source}}" width="128" height="128" alt="{{label}}" title="{{label}}">{{/overlays}}</div><figcaption><span class="kind">{{kind}} suspicious</span><br> {{caption}}{{#hasOverlays}} <span class="hint">hover: overlay</span>{{/hasOverlays}}</figcaption></figure>{{#attention}}<figure class="attention"><div class="maps">{{#maps}}<img src="{{source}}" width="64" height="64" alt="{{label}}" title="{{label}}">{{/maps}}</div><figcaption>{{caption}}</figcaption></figure>{{/attention}}{{/faces}}</div>
    {{#plot}}<svg class="plot" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="{{label}}">
    <line class="grid" x1="{{plotLeft}}" x2="{{plotRight}}" y1="{{plotMiddle}}" y2="{{plotMiddle}}"/>
    <line class="axis" x1="{{plotLeft}}" x2="{{plotLeft}}" y1="{{plotTop}}" y2="{{plotBottom}}"/>
    <line class="axis" x1="{{plotLeft}}" x2="{{plotRight}}" y1="{{plotBottom}}" y2="{{plotBottom}}"/>
    <text class="ylabel" x="{{plotLeft}}" y="{{plotTop}}" dx="-4" dy="8">1</text>
    <text class="ylabel" x="{{plotLeft}}" y="{{plotMiddle}}" dx="-4" dy="3">0.5</text>
    <text class="ylabel" x="{{plotLeft}}" y="{{plotBottom}}" dx="-4">0</text>
    <line class="threshold" x1="{{plotLeft}}" x2="{{plotRight}}" y1="{{thresholdY}}" y2="{{thresholdY}}"/>
    <text class="threshold-label" x="{{plotRight}}" y="{{thresholdY}}" dy="-3">{{thresholdLabel}}</text>
    <polyline class="series" points="{{points}}"/>
    {{#dots}}<circle class="{{#above}}above{{/above}}{{^above}}below{{/above}}" cx="{{x}}" cy="{{y}}" r="3"><title>{{title}}</title></circle>{{/dots}}
    {{#ticks}}<text class="xlabel{{#end}} end{{/end}}" x="{{x}}" y="{{plotBottom}}" dy="14">{{text}}</text>{{/ticks}}
    </svg>{{/plot}}
    </div>
    </div>
    {{/tracks}}
    </article>

    """#
}
