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
        // classnseg takes an encoder and a decoder file, in that order.
        #expect(message(["classnseg", h5.path, "--out", "x"]).contains("classnseg takes the encoder .pt then the decoder .pt, got 1"))
        #expect(message(["mesonet", h5.path, h5.path, "--out", "x"]).contains("mesonet takes one Keras .h5 file, got 2"))
        #expect(message(["classnseg", h5.path, h5.path, "--out", "x", "--project", directory.path]).contains("make venv"))
    }

    /// The real import of the authors' ClassNSeg weights through the venv (skipped without them).
    @Test func importsTheClassNSegWeightsWithACard() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.deletingLastPathComponent().appendingPathComponent("shared/weights/classnseg")
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("full_encoder_46.pt").path),
              FileManager.default.isExecutableFile(atPath: root.appendingPathComponent(".venv/bin/python").path) else {
            print("../shared/weights/classnseg or .venv absent: classnseg import not checked")
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("f2f.safetensors")
        let command = try Models.Import.parse([
            "classnseg", folder.appendingPathComponent("full_encoder_46.pt").path,
            folder.appendingPathComponent("full_decoder_46.pt").path, "--out", out.path, "--project", root.path])
        try command.run()
        let card = try #require(WeightFiles.find(in: [out.path]).first?.card)
        #expect(card.architecture == "classnseg" && card.name == "classnseg-full" && card.scaling == "imagenet")
        #expect(card.sourceFile == "full_encoder_46.pt,full_decoder_46.pt")
        #expect(card.provenance.contains("class 1 is original"))
    }
}
