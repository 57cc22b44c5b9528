import Foundation
import Mustache

/// Writes the HTML report of a run: one self-contained file (summary, table, a card per
/// video) while the cards fit in `inlineCardLimit` and `inlineBudgetBytes`; past that, the
/// index keeps summary and table, and the cards go to pages of `cardsPerPage` in a folder beside it
/// (`report.html` → `report_files/cards-0001.html` …), each page self-contained as well.
///
/// Feed it one `VideoEvidence` per row, in `orderedRows` order (most suspicious first), then
/// `finish()`. Memory holds at most the budget's worth of cards. Not shared between tasks.
public final class HTMLReportWriter {
    public struct Settings: Sendable {
        /// Cards that may go into the index file. A browser parses every card before the page
        /// has loaded, and clicks wait meanwhile: in headless Chromium on the 2-core VM, 500 cards
        /// with face pictures (13 MB) took 1.0–1.5 s to DOMContentLoaded, 1,000 took 1.5–2.4 s,
        /// 10,000 without pictures 31–45 s (docs/benchmarks.md, 2026-12-05).
        public var inlineCardLimit: Int
        /// Rendered card HTML that may go into the index file (larger pictures, overlays).
        public var inlineBudgetBytes: Int
        public var cardsPerPage: Int
        /// Table rows per page in the browser.
        public var tablePageSize: Int

        public init(inlineCardLimit: Int = 500, inlineBudgetBytes: Int = 16 << 20, cardsPerPage: Int = 100,
                    tablePageSize: Int = 100) {
            self.inlineCardLimit = inlineCardLimit
            self.inlineBudgetBytes = inlineBudgetBytes
            self.cardsPerPage = cardsPerPage
            self.tablePageSize = tablePageSize
        }
    }

    /// What was written.
    public struct Files: Sendable, Equatable {
        public var index: URL
        /// The card pages, empty when the cards are in the index.
        public var pages: [URL]
        public var bytes: Int
    }

    public let url: URL
    public let run: HTMLReportRun
    public let settings: Settings
    /// The rows in report order: scored videos by p_fake, highest first (ties by path), then
    /// errors, then videos without a face.
    public let orderedRows: [VideoRow]
    private let library: MustacheLibrary
    private var inlineCards: [RenderedCard] = []
    private var inlineBytes = 0
    private var pendingPage: [RenderedCard] = []
    private var pages: [URL] = []
    private var bytesWritten = 0
    private var added = 0

    public init(url: URL, run: HTMLReportRun, rows: [VideoRow], settings: Settings = Settings()) throws {
        self.url = url
        self.run = run
        self.settings = settings
        orderedRows = rows.sorted(by: Self.reportOrder)
        var library = MustacheLibrary()
        try library.register(ReportTemplates.index, named: "index")
        try library.register(ReportTemplates.cardPage, named: "page")
        try library.register(ReportTemplates.card, named: "card")
        self.library = library
    }

    static func reportOrder(_ a: VideoRow, _ b: VideoRow) -> Bool {
        func group(_ row: VideoRow) -> Int { row.pFake != nil ? 0 : row.status == .error ? 1 : 2 }
        if group(a) != group(b) { return group(a) < group(b) }
        if let p = a.pFake, let q = b.pFake, p != q { return p > q }
        return a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
    }

    /// The folder the card pages go to when the cards do not fit the index.
    public var pagesFolder: URL {
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(stem + "_files", isDirectory: true)
    }

    /// The card of the next row in `orderedRows`.
    public func add(_ evidence: VideoEvidence) throws {
        precondition(added < orderedRows.count, "more evidence than rows")
        let card = VideoCard.make(rank: added + 1, row: orderedRows[added], evidence: evidence)
        added += 1
        let rendered = RenderedCard(html: library.render(card, withTemplate: "card") ?? "", usesModelStyle: card.usesModelStyle)
        if pages.isEmpty && pendingPage.isEmpty && inlineCards.count < settings.inlineCardLimit
            && inlineBytes + rendered.html.utf8.count <= settings.inlineBudgetBytes {
            inlineCards.append(rendered)
            inlineBytes += rendered.html.utf8.count
            return
        }
        // Over budget: from now on every card goes to a page, the inline ones first.
        if !inlineCards.isEmpty {
            try prepareFolder()
            pendingPage = inlineCards
            inlineCards = []
            inlineBytes = 0
        } else if pages.isEmpty && pendingPage.isEmpty {
            try prepareFolder()
        }
        pendingPage.append(rendered)
        try writeFullPages()
    }

    /// Writes the index (and the last page). Rows without evidence get a card without faces.
    @discardableResult
    public func finish() throws -> Files {
        while added < orderedRows.count { try add(VideoEvidence()) }
        let split = !pages.isEmpty || !pendingPage.isEmpty
        if split {
            while !pendingPage.isEmpty { try writePage(Array(pendingPage.prefix(settings.cardsPerPage))) }
        } else {
            removeStalePages(keeping: 0)
        }
        // The manipulation column only when a row has a class: other models' reports keep their bytes.
        let manipulationNames = Set(orderedRows.compactMap(\.manipulation)).sorted()
        let hasManipulation = !manipulationNames.isEmpty
        let table = TableData(
            pageSize: settings.tablePageSize,
            cards: split ? .init(mode: "pages", folder: pagesFolder.lastPathComponent, perPage: settings.cardsPerPage)
                : .init(mode: "inline"),
            rows: orderedRows.map { TableData.Row(video: $0, manipulation: hasManipulation) })
        let page = IndexPage(
            summary: SummaryView(run: run, rows: orderedRows),
            style: Self.style(modelParts: hasManipulation || inlineCards.contains(where: \.usesModelStyle)),
            script: ReportScript.javaScript(manipulation: hasManipulation),
            tableJSON: try table.json(), cards: inlineCards.map(\.html).joined(),
            splitNote: split ? "\(orderedRows.count) video cards are on \(pages.count) pages in the folder "
                + "\(pagesFolder.lastPathComponent) beside this file; the table links to each." : nil,
            hasManipulation: hasManipulation, manipulationNames: manipulationNames)
        let html = library.render(page, withTemplate: "index") ?? ""
        try AtomicFile.write(Data(html.utf8), to: url)
        bytesWritten += html.utf8.count
        if split { removeStalePages(keeping: pages.count) }
        return Files(index: url, pages: pages, bytes: bytesWritten)
    }

    private struct IndexPage {
        var summary: SummaryView
        var style: String
        var script: String
        var tableJSON: String
        var cards: String
        var splitNote: String?
        var hasManipulation: Bool
        var manipulationNames: [String]
        var verdictNames = ["fake", "real", "unknown"]
        var statusNames = ScanStatus.allCases.map(\.rawValue)
    }

    /// A card's HTML, and whether it needs the CSS of attention maps and class bars.
    private struct RenderedCard {
        var html: String
        var usesModelStyle: Bool
    }

    /// The page's CSS: the extra rules only where a page shows attention maps or classes.
    static func style(modelParts: Bool) -> String {
        modelParts ? ReportStyle.css + ReportStyle.modelCSS : ReportStyle.css
    }

    private struct CardPage {
        var title: String
        var style: String
        var index: String
        var previous: String?
        var next: String?
        var range: String
        var cards: String
    }

    private func writeFullPages() throws {
        while pendingPage.count >= settings.cardsPerPage {
            try writePage(Array(pendingPage.prefix(settings.cardsPerPage)))
        }
    }

    private func writePage(_ cards: [RenderedCard]) throws {
        pendingPage.removeFirst(cards.count)
        let number = pages.count + 1
        let first = (number - 1) * settings.cardsPerPage + 1
        let last = first + cards.count - 1
        let isLast = last >= orderedRows.count
        let page = CardPage(
            title: "\(run.title): videos \(first)–\(last)", style: Self.style(modelParts: cards.contains(where: \.usesModelStyle)),
            index: "../" + Self.percentEncoded(url.lastPathComponent),
            previous: number > 1 ? Self.pageName(number - 1) : nil, next: isLast ? nil : Self.pageName(number + 1),
            range: "videos \(first)–\(last) of \(orderedRows.count)", cards: cards.map(\.html).joined())
        let html = library.render(page, withTemplate: "page") ?? ""
        let pageURL = pagesFolder.appendingPathComponent(Self.pageName(number))
        try AtomicFile.write(Data(html.utf8), to: pageURL)
        bytesWritten += html.utf8.count
        pages.append(pageURL)
    }

    static func pageName(_ number: Int) -> String {
        "cards-" + String(repeating: "0", count: max(0, 4 - String(number).count)) + String(number) + ".html"
    }

    private func prepareFolder() throws {
        do {
            try FileManager.default.createDirectory(at: pagesFolder, withIntermediateDirectories: true)
        } catch {
            throw ReportError.io(path: pagesFolder.path, reason: "cannot create the folder for the card pages (\(error.localizedDescription))")
        }
    }

    /// Card pages of an earlier, larger report in the same place would be linked by nothing.
    private func removeStalePages(keeping count: Int) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: pagesFolder.path) else { return }
        let current = Set((0..<count).map { Self.pageName($0 + 1) })
        for name in names where name.hasPrefix("cards-") && name.hasSuffix(".html") && !current.contains(name) {
            try? FileManager.default.removeItem(at: pagesFolder.appendingPathComponent(name))
        }
        if count == 0 { try? FileManager.default.removeItem(at: pagesFolder) }  // only when now empty
    }

    static func percentEncoded(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? name
    }
}
