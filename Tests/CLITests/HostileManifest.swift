import Foundation
import Reports
import Scan
import Testing
import TestSupport

/// What Tests/HostileCorpus/make_corpus.py wrote (its manifest.json), and the checks of a scan's
/// rows against it. Paths are compared as bytes: `café` in NFC and in NFD are two files, which
/// Swift's String equality (canonical equivalence) would take for one.
struct HostileManifest: Decodable {
    struct Entry: Decodable {
        var path_hex: String
        var rows: Int
        /// error | scanned | ok | any (see the generator's docstring); nil when rows is 0.
        var expect: String?
        var why: String

        var relativeBytes: [UInt8] {
            var bytes: [UInt8] = []
            var digits = path_hex.utf8.makeIterator()
            while let high = digits.next(), let low = digits.next() {
                bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
            }
            return bytes
        }

        var isUTF8: Bool { String(validating: relativeBytes, as: UTF8.self) != nil }
        /// The name with bytes that are not UTF-8 shown as \xFF.
        var shownName: String {
            var shown = "", bytes = relativeBytes[...]
            while !bytes.isEmpty {
                let length = (1...min(4, bytes.count)).first { String(validating: bytes.prefix($0), as: UTF8.self) != nil }
                if let length {
                    shown += String(decoding: bytes.prefix(length), as: UTF8.self).debugDescription.dropFirst().dropLast()
                    bytes = bytes.dropFirst(length)
                } else {
                    shown += "\\x" + String(bytes.first!, radix: 16, uppercase: true)
                    bytes = bytes.dropFirst()
                }
            }
            return "\"" + shown + "\""
        }
    }

    var entries: [Entry]
    var expected_rows: Int
    var notes: [String]

    /// Runs the generator into `folder` (corpus/ and manifest.json) and reads its manifest.
    static func generate(with generator: URL, into folder: URL) throws -> HostileManifest {
        let corpus = try ChildProcess.run("timeout", ["120", "python3", generator.path, folder.path], stdout: .discard)
        try #require(corpus.status == 0, "make_corpus.py failed (\(corpus.status)): \(corpus.stderrText)")
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        let manifest = try JSONDecoder().decode(HostileManifest.self, from: data)
        for note in manifest.notes { print("hostile corpus: \(note)") }
        return manifest
    }

    /// One row per discovered entry, none for the others; each row's status as the entry expects;
    /// every error row says why. Names that are not UTF-8 cannot appear verbatim in a UTF-8 CSV:
    /// their cells are `file://` URIs (`PathText`), matched by the bytes they decode to, and
    /// must be scanned, not errors.
    static func check(rows: [[String]], against manifest: HostileManifest, corpus: String) {
        let pathColumn = VideoRow.csvHeader.firstIndex(of: "path")!
        let statusColumn = VideoRow.csvHeader.firstIndex(of: "status")!
        let errorColumn = VideoRow.csvHeader.firstIndex(of: "error")!
        func cell(_ row: [String], _ column: Int) -> String { column < row.count ? row[column] : "" }

        #expect(rows.count == manifest.expected_rows, "\(rows.count) rows for \(manifest.expected_rows) discovered files")
        var rowsByPath: [[UInt8]: [[String]]] = [:]
        for row in rows { rowsByPath[PathText.bytes(of: cell(row, pathColumn)), default: []].append(row) }
        let prefix = Array(corpus.utf8) + Array("/".utf8)
        var matched = Set<[UInt8]>()

        for entry in manifest.entries {
            let path = prefix + entry.relativeBytes
            matched.insert(path)
            let found = rowsByPath[path] ?? []
            #expect(found.count == entry.rows, "\(entry.shownName) (\(entry.why)): \(found.count) rows, want \(entry.rows)")
            guard let row = found.first, let expect = entry.expect else { continue }
            let status = cell(row, statusColumn)
            let detail = "\(entry.shownName) (\(entry.why)): status \(status), error \(cell(row, errorColumn).debugDescription)"
            switch expect {
            case "error": #expect(status == "error", "\(detail), want error")
            case "scanned": #expect(status == "ok" || status == "no_face", "\(detail), want ok or no_face")
            case "ok": #expect(status == "ok", "\(detail), want ok (a face)")
            default: #expect(["ok", "no_face", "error"].contains(status), "\(detail)")
            }
        }

        let leftover = rows.filter { !matched.contains(PathText.bytes(of: cell($0, pathColumn))) }
        #expect(leftover.isEmpty, "rows for no corpus entry: \(leftover.map { cell($0, pathColumn).debugDescription })")
        for entry in manifest.entries where !entry.isUTF8 {
            for row in rowsByPath[prefix + entry.relativeBytes] ?? [] {
                let path = cell(row, pathColumn)
                #expect(path.hasPrefix("file://") && !path.unicodeScalars.contains("\u{FFFD}"),
                        "a name that is not UTF-8 written lossily: \(path.debugDescription)")
                #expect(cell(row, statusColumn) != "error",
                        "a name that is not UTF-8 must be scanned: \(path.debugDescription): \(cell(row, errorColumn))")
            }
        }

        for row in rows where cell(row, statusColumn) == "error" {
            #expect(!cell(row, errorColumn).trimmingCharacters(in: .whitespaces).isEmpty,
                    "an error row without a message: \(cell(row, pathColumn).debugDescription)")
        }
    }
}
