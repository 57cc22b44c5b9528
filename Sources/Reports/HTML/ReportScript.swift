/// The index page's script: renders the table from the JSON data block a page at a time, sorts
/// by a clicked column header and filters by verdict, status, p_fake range and path (and the
/// manipulation class, for a model with classes). Builds cells with textContent only, so no data
/// ever becomes markup.
enum ReportScript {
    /// The script of a report without manipulation classes: the same bytes as before the
    /// classes existed (HTMLReportUnchangedTests).
    static let javaScript = javaScript(manipulation: false)

    /// With `manipulation`, rows carry two more cells (the class and its probability, or nulls)
    /// and the table a column and a filter for them.
    static func javaScript(manipulation: Bool) -> String {
        func with(_ text: String) -> String { manipulation ? text : "" }
        return #"""
    "use strict";
    (function () {
      const data = JSON.parse(document.getElementById("report-data").textContent);
      const PATH = 0, STATUS = 1, VERDICT = 2, P = 3, TRACKS = 4, FACES = 5, FRAMES = 6, DURATION = 7, ERROR = 8;\#(with(Manipulation.indices))
      const rows = data.rows.map(function (r, i) { return { r: r, rank: i + 1, lower: r[PATH].toLowerCase() }; });
      const keys = {
        rank: function (x) { return x.rank; }, p: function (x) { return x.r[P]; },
        verdict: function (x) { return x.r[VERDICT]; }, status: function (x) { return x.r[STATUS]; },
        tracks: function (x) { return x.r[TRACKS]; }, faces: function (x) { return x.r[FACES]; },
        duration: function (x) { return x.r[DURATION]; }, path: function (x) { return x.r[PATH]; }\#(with(Manipulation.key))
      };
      const state = { key: "rank", direction: 1, page: 0, shown: rows };
      const $ = function (id) { return document.getElementById(id); };
      const body = document.querySelector("#videos tbody");

      function cardLink(rank) {
        if (data.cards.mode === "inline") return "#v" + rank;
        const page = String(Math.floor((rank - 1) / data.cards.perPage) + 1).padStart(4, "0");
        return encodeURIComponent(data.cards.folder) + "/cards-" + page + ".html#v" + rank;
      }

      // Missing values (no score, no duration) sort last in either direction.
      function compare(a, b) {
        const get = keys[state.key], x = get(a), y = get(b);
        if (x === y) return a.rank - b.rank;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * state.direction;
      }

      function filtered() {
        const verdict = $("f-verdict").value, status = $("f-status").value;
        const min = $("f-min").value === "" ? null : Number($("f-min").value);
        const max = $("f-max").value === "" ? null : Number($("f-max").value);
        const needle = $("f-path").value.toLowerCase();\#(with(Manipulation.filterValue))
        return rows.filter(function (x) {
          const r = x.r;
          if (verdict && r[VERDICT] !== verdict) return false;
          if (status && r[STATUS] !== status) return false;\#(with(Manipulation.filterTest))
          if ((min !== null || max !== null) && r[P] === null) return false;
          if (min !== null && r[P] < min) return false;
          if (max !== null && r[P] > max) return false;
          return !needle || x.lower.indexOf(needle) !== -1;
        });
      }

      function cell(tr, text, className) {
        const td = document.createElement("td");
        td.textContent = text;
        if (className) td.className = className;
        tr.appendChild(td);
        return td;
      }

      function render() {
        const pages = Math.max(1, Math.ceil(state.shown.length / data.pageSize));
        state.page = Math.min(state.page, pages - 1);
        const start = state.page * data.pageSize;
        const fragment = document.createDocumentFragment();
        state.shown.slice(start, start + data.pageSize).forEach(function (x) {
          const r = x.r, tr = document.createElement("tr");
          tr.className = "verdict-" + r[VERDICT];
          cell(tr, String(x.rank), "num");
          const score = cell(tr, r[P] === null ? "–" : r[P].toFixed(3), "num");
          if (r[P] !== null) {
            const bar = document.createElement("span");
            bar.className = "bar";
            bar.style.width = Math.round(r[P] * 40) + "px";
            score.appendChild(bar);
          }
          const badge = document.createElement("span");
          badge.className = "badge verdict-" + r[VERDICT];
          badge.textContent = r[VERDICT];
          cell(tr, "").appendChild(badge);\#(with(Manipulation.cell))
          cell(tr, r[STATUS]);
          cell(tr, String(r[TRACKS]), "num");
          cell(tr, r[FACES] + "/" + r[FRAMES], "num");
          cell(tr, r[DURATION] === null ? "–" : r[DURATION].toFixed(1) + " s", "num");
          const where = cell(tr, "", "wide");
          const link = document.createElement("a");
          link.href = cardLink(x.rank);
          link.className = "path";
          link.textContent = r[PATH];
          where.appendChild(link);
          if (r[ERROR]) {
            const error = document.createElement("span");
            error.className = "error-text";
            error.textContent = r[ERROR];
            where.appendChild(error);
          }
          fragment.appendChild(tr);
        });
        body.replaceChildren(fragment);
        const total = rows.length, count = state.shown.length;
        $("count").textContent = count === total ? total + " videos" : count + " of " + total + " videos match";
        $("page").textContent = "page " + (state.page + 1) + " of " + pages;
        $("prev").disabled = state.page === 0;
        $("next").disabled = state.page >= pages - 1;
        $("pager").hidden = pages === 1;
        document.querySelectorAll("#videos th").forEach(function (th) {
          const key = th.firstElementChild.dataset.key;
          if (key === state.key) th.setAttribute("aria-sort", state.direction > 0 ? "ascending" : "descending");
          else th.removeAttribute("aria-sort");
        });
      }

      function refilter() {
        state.shown = filtered().sort(compare);
        state.page = 0;
        render();
      }

      document.querySelectorAll("#videos th button").forEach(function (button) {
        button.addEventListener("click", function () {
          const key = button.dataset.key;
          // A second click reverses; a new column starts with what reads best first.
          if (state.key === key) state.direction = -state.direction;
          else { state.key = key; state.direction = (key === "p" || key === "tracks" || key === "duration") ? -1 : 1; }
          state.shown.sort(compare);
          state.page = 0;
          render();
        });
      });
      ["f-verdict", "f-status", \#(with(Manipulation.filterID))"f-min", "f-max", "f-path"].forEach(function (id) {
        $(id).addEventListener("input", refilter);
      });
      $("f-reset").addEventListener("click", function () { $("filters").reset(); refilter(); });
      $("prev").addEventListener("click", function () { state.page -= 1; render(); });
      $("next").addEventListener("click", function () { state.page += 1; render(); });
      render();
    })();
    """#
    }

    /// The pieces the manipulation column adds, each where `javaScript(manipulation:)` puts it.
    private enum Manipulation {
        static let indices = "\n  const MANIPULATION = 9, MANIPULATION_P = 10;"
        static let key = ",\n    manipulation: function (x) { return x.r[MANIPULATION]; }"
        static let filterValue = #"\#n    const manipulation = $("f-manipulation").value;"#
        static let filterTest = "\n      if (manipulation && r[MANIPULATION] !== manipulation) return false;"
        static let cell = #"\#n      cell(tr, r[MANIPULATION] === null ? "–" : r[MANIPULATION] + " " + r[MANIPULATION_P].toFixed(2), "manipulation");"#
        static let filterID = #""f-manipulation", "#
    }
}
