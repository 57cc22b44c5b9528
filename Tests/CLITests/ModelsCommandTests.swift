import ArgumentParser
import Foundation
import Testing
@testable import deepfake_scan

@Suite struct ModelsCommandTests {
    /// A safetensors file holding only a metadata map (no tensors), written byte by byte.
    private func cardOnlyFile(_ metadata: [String: String], at url: URL) throws {
        let header = try JSONSerialization.data(withJSONObject: ["__metadata__": metadata])
        var data = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(header)
        try data.write(to: url)
    }

    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("models-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("nested"), withIntermediateDirectories: true)
        return url
    }

    @Test func listFindsCardsRecursivelyAndReportsUnreadableFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try cardOnlyFile(["architecture": "meso4", "version": "1", "input_size": "256", "colour_order": "RGB",
                          "scaling": "x/255", "score_semantics": "p_fake, 1 = fake", "provenance": "test", "threshold": "0.4"],
                         at: directory.appendingPathComponent("nested/good.safetensors"))
        try Data("not safetensors".utf8).write(to: directory.appendingPathComponent("bad.safetensors"))
        try Data().write(to: directory.appendingPathComponent("ignored.txt"))
        let found = WeightFiles.find(in: [directory.path, directory.appendingPathComponent("absent").path])
        #expect(found.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["bad.safetensors", "good.safetensors"])
        #expect(found[0].card == nil && found[0].error != nil)
        #expect(found[1].card?.architecture == "meso4" && found[1].card?.threshold == 0.4)
    }

    @Test func importRejectsUnknownFormatsAndAMissingVenv() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let h5 = directory.appendingPathComponent("Meso4_DF.h5")
        try Data().write(to: h5)
        func message(_ arguments: [String]) -> String {
            do {
                _ = try Models.Import.parse(arguments)
                return "accepted"
            } catch {
                return Models.Import.message(for: error)
            }
        }
        #expect(message(["keras", h5.path, "--out", "x.safetensors"]).contains("unknown format keras"))
        #expect(message(["mesonet", h5.path, "--out", "x.safetensors", "--project", directory.path]).contains("make venv"))
        #expect(message(["mesonet", directory.appendingPathComponent("absent.h5").path, "--out", "x"]).contains("no such file"))
    }
}
